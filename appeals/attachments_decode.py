"""The one step that decodes a picture sent by a writer, run in a child process.

`appeals.attachments` starts it for each picture that passed the header checks.
It limits its own memory and CPU time before it reads a byte of the upload, so a
picture built to exhaust the decoder kills only this process: the web worker gets
an error and the writer a "could not be read" message. Only Pillow is imported.

Protocol: stdin = one JSON line (format, max_side, max_pixels, memory, cpu) and
the file's bytes; stdout = one JSON line ({"ok": true, "type": …} or
{"ok": false, "error": …}) and the re-encoded picture.
"""

import io
import json
import resource
import sys
import warnings

from PIL import Image, ImageOps


def _limit(memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def reencode(content: bytes, fmt: str, max_side: int) -> tuple[str, bytes]:
    """Only the pixels go on: EXIF, GPS, XMP, ICC profile and comments stay behind."""
    image: Image.Image = Image.open(io.BytesIO(content))
    if image.format != fmt:
        raise ValueError("format changed")
    if fmt == "JPEG":
        image.draft("RGB", (max_side, max_side))  # reduce on load: decode at 1/2, 1/4 or 1/8 of the size
    image.seek(0)  # an animated GIF keeps only its first frame
    image.load()
    image = ImageOps.exif_transpose(image)  # keep the photo upright once its orientation tag is gone
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((max_side, max_side), resample=Image.Resampling.BILINEAR)  # half the time of bicubic
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        return "image/png", out.getvalue()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return "image/jpeg", out.getvalue()


def main() -> None:
    header = json.loads(sys.stdin.buffer.readline())
    _limit(header["memory"], header["cpu"])
    content = sys.stdin.buffer.read()
    Image.MAX_IMAGE_PIXELS = header["max_pixels"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            content_type, clean = reencode(content, header["format"], header["max_side"])
    except (MemoryError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        result, clean = {"ok": False, "error": "too_many_pixels"}, b""
    except Exception:  # noqa: BLE001 - any failure of the decoder is "could not be read"
        result, clean = {"ok": False, "error": "broken"}, b""
    else:
        result = {"ok": True, "type": content_type}
    sys.stdout.buffer.write(json.dumps(result).encode() + b"\n" + clean)


if __name__ == "__main__":
    main()
