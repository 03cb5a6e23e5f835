"""Key pairs for the signing tests: what a team generates once for ``[tool.gitml.signing]
method = "key"`` (``openssl ecparam -genkey -name prime256v1``)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def key_pair(folder: Path, name: str = "model") -> tuple[str, Path]:
    """A fresh P-256 key pair: the private key's PEM text and the public key's file."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = folder / f"{name}.pub"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public
