"""PAdES signatures on issued documents (pyHanko), when the institution configures a certificate.

With ``SIGNING_PKCS12`` (path of a PKCS#12 file holding the institution's key and certificate
chain) and ``SIGNING_PKCS12_PASSWORD`` set, every rendered document is signed before it is put in
place, so any PDF reader shows the signature and that the file was not altered since.  Without
them documents are not signed and the QR verification alone applies.  Needs the ``signing`` extra
(``pip install 'pintu[signing]'``).
"""

from __future__ import annotations

import io

from flask import current_app


def configured() -> bool:
    return bool(current_app.config.get("SIGNING_PKCS12"))


def _signer():
    from pyhanko.sign import signers

    cache = current_app.extensions.setdefault("pintu_signer", {})
    path = current_app.config["SIGNING_PKCS12"]
    if path not in cache:
        password = current_app.config.get("SIGNING_PKCS12_PASSWORD") or ""
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password.encode() or None)
        if signer is None:
            raise RuntimeError(f"SIGNING_PKCS12: cannot read a key and certificate from {path}")
        cache[path] = signer
    return cache[path]


def sign(content: bytes, reason: str, location: str) -> bytes:
    """``content`` (a PDF) with a PAdES signature of the configured certificate over the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    meta = signers.PdfSignatureMetadata(field_name="TandaTanganElektronik", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES, reason=reason[:200],
                                        location=location[:100])
    out = signers.sign_pdf(writer, meta, signer=_signer())
    return out.getvalue()
