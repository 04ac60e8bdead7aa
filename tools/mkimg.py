#!/usr/bin/python3
"""Build build/seqos.img: a GPT disk with one EFI system partition (FAT, made by
mkfs.fat and filled by mtools' mcopy from Debian's packages) holding the kernel as
EFI/BOOT/BOOTX64.EFI, the removable-media path every UEFI firmware boots. The GPT
(UEFI 2.10 spec ch. 5) is written here: protective MBR, primary header and entry array
at LBA 1-33, backup array and header at the end of the disk.

Usage: mkimg.py SEQOS.EFI OUT.IMG [CMDLINE.TXT]"""
import os
import struct
import subprocess
import sys
import tempfile
import uuid
import zlib

SECTOR = 512
ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
FIRST_LBA = 2048  # 1 MiB alignment, as partitioning tools do


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def make_esp(efi, cmdline, size):
    fd, path = tempfile.mkstemp(suffix=".esp")
    os.close(fd)
    os.unlink(path)
    run("mkfs.fat", "-C", "-F", "16", "-n", "SEQOS", path, str(size // 1024))
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for d in ("::/EFI", "::/EFI/BOOT", "::/EFI/seqos"):
        subprocess.run(["mmd", "-i", path, d], check=True, env=env)
    subprocess.run(["mcopy", "-i", path, efi, "::/EFI/BOOT/BOOTX64.EFI"], check=True, env=env)
    if cmdline:
        subprocess.run(["mcopy", "-i", path, cmdline, "::/EFI/seqos/cmdline.txt"], check=True,
                       env=env)
    data = open(path, "rb").read()
    os.unlink(path)
    return data


def gpt_header(current, backup, entries_lba, first, last, disk_guid, entries_crc):
    fmt = "<8sIIIIQQQQ16sQIII"
    fields = [b"EFI PART", 0x00010000, 92, 0, 0, current, backup, first, last,
              disk_guid.bytes_le, entries_lba, 128, 128, entries_crc]
    hdr = struct.pack(fmt, *fields)
    fields[3] = zlib.crc32(hdr) & 0xFFFFFFFF
    return struct.pack(fmt, *fields).ljust(SECTOR, b"\0")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    efi, out = sys.argv[1], sys.argv[2]
    cmdline = sys.argv[3] if len(sys.argv) == 4 else None
    esp_size = 16 * 1024 * 1024  # FAT16 wants at least ~4100 clusters
    esp = make_esp(efi, cmdline, esp_size)
    esp_sectors = len(esp) // SECTOR
    total = FIRST_LBA + esp_sectors + 33
    disk_guid = uuid.uuid5(uuid.NAMESPACE_URL, "seqos-disk")  # reproducible images
    part_guid = uuid.uuid5(uuid.NAMESPACE_URL, "seqos-esp")

    name = "EFI system partition".encode("utf-16-le").ljust(72, b"\0")
    entry = struct.pack("<16s16sQQQ72s", ESP_TYPE.bytes_le, part_guid.bytes_le, FIRST_LBA,
                        FIRST_LBA + esp_sectors - 1, 0, name)
    entries = entry.ljust(128 * 128, b"\0")
    crc = zlib.crc32(entries) & 0xFFFFFFFF
    first, last = 34, total - 34

    mbr = bytearray(SECTOR)
    # One partition of type 0xEE covering the disk: the protective MBR.
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1,
                               min(total - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"

    with open(out + ".tmp", "wb") as f:
        f.write(mbr)
        f.write(gpt_header(1, total - 1, 2, first, last, disk_guid, crc))
        f.write(entries)
        f.seek(FIRST_LBA * SECTOR)
        f.write(esp)
        f.seek((total - 33) * SECTOR)
        f.write(entries)
        f.write(gpt_header(total - 1, 1, total - 33, first, last, disk_guid, crc))
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
