"""Test data of the online box: photos with GPS, and a database dump to search."""

import io

from django.db import connection
from PIL import Image


def jpeg_with_gps(size=(640, 480), color=(200, 40, 40)) -> bytes:
    """A JPEG a phone might send: EXIF with camera, date and a GPS position in Osh."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:11:20 08:15:00"  # DateTime
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 31.0, 48.0)
    gps[3], gps[4] = "E", (72.0, 47.0, 54.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def database_bytes() -> bytes:
    """Every row of every table, as bytes: to prove something is not stored in the clear."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the DB
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)
