#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/ (run from anywhere: python3 fuzz/make_seeds.py).

face_check_decision seeds are <2 status bytes><body>; 00 00 selects HTTP 200 (see the target).
MJPEG seeds are small frames cut from assets/demo/clip.mjpeg and fixture photos, downscaled
with ImageMagick's `convert` (skipped when it is missing). Every seed stays under 64 kB.
"""
import glob
import json
import os
import shutil
import subprocess
import tempfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
SAMPLES = "/work/shared/faceki/samples"
CORPUS = os.path.join(FUZZ, "corpus")
LIMIT = 64 * 1024

# Status prefixes (byte0 < 0x80 picks from the target's table; >= 0x80 is a raw big-endian u16).
S200, S401, S500 = b"\x00\x00", b"\x00\x03", b"\x00\x08"
RAW_299 = bytes([0x80 | (299 >> 8), 299 & 0xFF])


def write(target, name, data):
    assert len(data) < LIMIT, (target, name, len(data))
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def decision_seeds():
    sources = sorted(glob.glob(os.path.join(SAMPLES, "*.json")))
    sources.append(os.path.join(ROOT, "assets/sim/face_check_match.json"))
    seen = set()
    for path in sources:
        body = open(path, "rb").read()
        if body in seen:
            continue
        seen.add(body)
        write("face_check_decision", "sample_" + os.path.basename(path), S200 + body)

    match = json.load(open(os.path.join(ROOT, "assets/sim/face_check_match.json")))
    compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode()

    no_match = {"responseCode": 0, "data": {"face_verified": False, "all_face_ids": [], "kyc_records": []}}
    write("face_check_decision", "no_match.json", S200 + compact(no_match))
    write("face_check_decision", "code_8006.json", S200 + b'{"responseCode":8006,"message":"FACE_CROPPED"}')
    write("face_check_decision", "code_8013_string.json", S200 + b'{"responseCode":"8013","data":{}}')
    write("face_check_decision", "empty_200", S200)
    write("face_check_decision", "html_502", b"\x00\x09<!DOCTYPE html><html><body>Bad Gateway</body></html>")
    write("face_check_decision", "auth_401.json", S401 + b'{"responseCode":401,"message":"Unauthorized"}')
    write("face_check_decision", "server_500.json", S500 + b'{"data":{"error":{"message":"boom"}}}')

    declined = json.loads(json.dumps(match))
    declined["data"]["kyc_records"][0]["status"] = "DECLINED"
    write("face_check_decision", "match_declined.json", S200 + compact(declined))
    two = json.loads(json.dumps(match))
    other = json.loads(json.dumps(two["data"]["kyc_records"][0]))
    other.update({"_id": "other", "documentId": "111", "fullName": "Someone Else"})
    two["data"]["kyc_records"].append(other)
    write("face_check_decision", "match_two_people.json", RAW_299 + compact(two))


def token_seeds():
    write("token_reply", "token_success.json", open(os.path.join(SAMPLES, "token_success.json"), "rb").read())
    write("token_reply", "token_error_422.json", open(os.path.join(SAMPLES, "token_error_422.json"), "rb").read())
    write("token_reply", "string_numbers.json",
          b'{"responseCode":"0","data":{"access_token":"abc.def.ghi","expires_in":"1e400","token_type":7}}')
    write("token_reply", "empty_token.json", b'{"responseCode":0,"data":{"access_token":"","expires_in":-5}}')
    write("token_reply", "token_not_string.json", b'{"responseCode":0,"data":{"access_token":12345}}')
    write("token_reply", "truncated.json", b'{"responseCode":0,"data":{"access_tok')
    write("token_reply", "html.txt", b"<html><body>403 Forbidden</body></html>")
    write("token_reply", "null", b"null")


def split_jpegs(data, n):
    frames, i = [], 0
    while len(frames) < n:
        s = data.find(b"\xff\xd8", i)
        e = data.find(b"\xff\xd9", s)
        if s < 0 or e < 0:
            break
        frames.append(data[s : e + 2])
        i = e + 2
    return frames


def mjpeg_seeds():
    convert = shutil.which("convert")
    if not convert:
        print("convert not found: no MJPEG seeds")
        return
    clip = open(os.path.join(ROOT, "assets/demo/clip.mjpeg"), "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        def shrink(src_bytes, name, geometry, *extra):
            src = os.path.join(tmp, name + ".in.jpg")
            dst = os.path.join(tmp, name + ".jpg")
            open(src, "wb").write(src_bytes)
            subprocess.run([convert, src, "-resize", geometry, "-strip", "-quality", "70", *extra, dst], check=True)
            return open(dst, "rb").read()

        small = []
        for k, frame in enumerate(split_jpegs(clip, 2)):
            small.append(shrink(frame, f"clip{k}", "64x48"))
        write("mjpeg_frames", "clip_frame0.jpg", small[0])
        # Two frames with junk before, between (a broken SOI) and after: the splitter's job.
        write("mjpeg_frames", "clip_stream2.mjpeg", b"junk" + small[0] + b"\x00\xff\xd8broken" + small[1] + b"\xff")
        write("mjpeg_frames", "clip_frame1_progressive.jpg",
              shrink(split_jpegs(clip, 2)[1], "prog", "48x36", "-interlace", "JPEG"))
        rocket = open(os.path.join(ROOT, "tests/fixtures/rocket.jpg"), "rb").read()
        write("mjpeg_frames", "rocket_small_420.jpg", shrink(rocket, "rocket", "40x27", "-sampling-factor", "4:2:0"))
        gray = shrink(open(os.path.join(ROOT, "assets/demo/grace_hopper.jpg"), "rb").read(), "gh", "24x28", "-colorspace", "Gray")
        write("mjpeg_frames", "grace_hopper_gray.jpg", gray)


if __name__ == "__main__":
    decision_seeds()
    token_seeds()
    mjpeg_seeds()
    for t in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, t))
        size = sum(os.path.getsize(os.path.join(CORPUS, t, f)) for f in files)
        print(f"{t}: {len(files)} seeds, {size} bytes")
