"""Cases and files for the material tests."""

from __future__ import annotations

import io

from PIL import Image

from mdk.cases import service as cases
from mdk.cases.models import Case
from tests.cases.factories import NUMBERS, OTHER_AREA, World, referral

# A small but structurally whole PDF (header, one empty page, xref, trailer, %%EOF).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
       b"xref\n0 4\n0000000000 65535 f \ntrailer<</Size 4/Root 1 0 R>>\n"
       b"startxref\n0\n%%EOF\n")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def crs_case(world: World, number_index: int = 10) -> Case:
    data = referral(number_index, care_area=OTHER_AREA, answers={}, submit=False)
    return cases.register_case(world.actor("crs_referrer"), world.principal("crs_referrer"),
                               data)


__all__ = ["ELF", "MZ", "NUMBERS", "PDF", "crs_case", "png"]
