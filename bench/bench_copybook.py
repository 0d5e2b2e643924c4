"""Benchmark: the vectorised copybook decoder against a straightforward per-record pure-Python decoder.

    python bench/bench_copybook.py [--mb N]

Generates, in a temporary directory, a fixed-length file of COMP-3-heavy records and a V (RDW) file
whose records end in an OCCURS DEPENDING ON table, then decodes each file with both decoders. Every
measurement runs in a fresh child process so its peak RSS is its own. Writes bench/results/copybook.json
and prints a Markdown table. A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

RESULTS = (
    Path(os.environ.get("SFSYNC_BENCH_RESULTS", Path(__file__).resolve().parent / "results"))
    / "copybook.json"
)

FIXED_COPYBOOK = """\
       01  TXN-REC.
           05 TXN-ID           PIC 9(12)       COMP-3.
           05 ACCOUNT-ID       PIC 9(10)       COMP-3.
           05 BOOKED-ON        PIC 9(8)        COMP-3.
           05 AMOUNT           PIC S9(13)V99   COMP-3.
           05 BALANCE          PIC S9(13)V99   COMP-3.
           05 FEE              PIC S9(5)V99    COMP-3.
           05 TAX              PIC S9(7)V99    COMP-3.
           05 RATE             PIC S9(3)V9(6)  COMP-3.
           05 QUANTITY         PIC S9(7)       COMP-3.
           05 UNIT-PRICE       PIC S9(9)V99    COMP-3.
           05 BRANCH           PIC S9(4)       COMP.
           05 CURRENCY         PIC X(3).
           05 STATUS-CODE      PIC X(1).
           05 DESCRIPTION      PIC X(20).
           05 BUCKETS          PIC S9(9)V99    COMP-3 OCCURS 6 TIMES.
"""

RDW_COPYBOOK = """\
       01  ORDER-REC.
           05 ORDER-ID         PIC 9(12)       COMP-3.
           05 CUSTOMER-ID      PIC 9(10)       COMP-3.
           05 TOTAL            PIC S9(13)V99   COMP-3.
           05 CURRENCY         PIC X(3).
           05 LINE-COUNT       PIC S9(4)       COMP.
           05 ORDER-LINES OCCURS 0 TO 8 TIMES DEPENDING ON LINE-COUNT.
              10 SKU           PIC X(8).
              10 QUANTITY      PIC S9(7)       COMP-3.
              10 PRICE         PIC S9(9)V99    COMP-3.
"""

# (name, kind, length, scale) of the fixed record, in order; BUCKETS expanded. Shared by the generator
# and the baseline decoder, which deliberately knows nothing of the library. "unsigned" is unsigned packed.
FIXED_FIELDS = [
    ("TXN-ID", "unsigned", 7, 0),
    ("ACCOUNT-ID", "unsigned", 6, 0),
    ("BOOKED-ON", "unsigned", 5, 0),
    ("AMOUNT", "packed", 8, 2),
    ("BALANCE", "packed", 8, 2),
    ("FEE", "packed", 4, 2),
    ("TAX", "packed", 5, 2),
    ("RATE", "packed", 5, 6),
    ("QUANTITY", "packed", 4, 0),
    ("UNIT-PRICE", "packed", 6, 2),
    ("BRANCH", "binary", 2, 0),
    ("CURRENCY", "text", 3, 0),
    ("STATUS-CODE", "text", 1, 0),
    ("DESCRIPTION", "text", 20, 0),
    *[(f"BUCKETS({index})", "packed", 6, 2) for index in range(1, 7)],
]
ORDER_HEADER = [
    ("ORDER-ID", "unsigned", 7, 0),
    ("CUSTOMER-ID", "unsigned", 6, 0),
    ("TOTAL", "packed", 8, 2),
    ("CURRENCY", "text", 3, 0),
    ("LINE-COUNT", "binary", 2, 0),
]
ORDER_LINE = [("SKU", "text", 8, 0), ("QUANTITY", "packed", 4, 0), ("PRICE", "packed", 6, 2)]
MAX_LINES = 8


# -- data generation (vectorised so that generating is not the slow part) --------------------------------


def _random_fields(
    rng: np.random.Generator, rows: int, fields: list[tuple[str, str, int, int]]
) -> np.ndarray:
    columns = []
    for _name, kind, length, _scale in fields:
        if kind in ("packed", "unsigned"):
            digits = rng.integers(0, 10, size=(rows, 2 * length - 1), dtype=np.uint8)
            digits[:, 0] = 0  # even digit counts leave the first nibble as zero padding
            signs = np.array([0xF] if kind == "unsigned" else [0xC, 0xD], dtype=np.uint8)
            nibbles = np.concatenate([digits, rng.choice(signs, (rows, 1))], axis=1)
            columns.append((nibbles[:, 0::2] << 4) | nibbles[:, 1::2])
        elif kind == "binary":
            columns.append(rng.integers(0, 256, size=(rows, length), dtype=np.uint8))
        else:
            letters = np.frombuffer("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789".encode("cp037"), dtype=np.uint8)
            columns.append(rng.choice(letters, size=(rows, length)))
    return np.concatenate(columns, axis=1)


def generate_fixed(path: Path, megabytes: float, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    record_length = sum(length for _n, _k, length, _s in FIXED_FIELDS)
    rows = int(megabytes * 1_000_000) // record_length
    with path.open("wb") as out:
        for start in range(0, rows, 100_000):
            out.write(_random_fields(rng, min(100_000, rows - start), FIXED_FIELDS).tobytes())
    return rows


def generate_rdw(path: Path, megabytes: float, seed: int = 11) -> int:
    rng = np.random.default_rng(seed)
    header_length = sum(length for _n, _k, length, _s in ORDER_HEADER)
    line_length = sum(length for _n, _k, length, _s in ORDER_LINE)
    average = 4 + header_length + line_length * MAX_LINES / 2
    rows = int(megabytes * 1_000_000 / average)
    with path.open("wb") as out:
        for start in range(0, rows, 50_000):
            count = min(50_000, rows - start)
            headers = _random_fields(rng, count, ORDER_HEADER)
            line_counts = rng.integers(0, MAX_LINES + 1, size=count)
            headers[:, header_length - 2] = 0
            headers[:, header_length - 1] = line_counts
            lines = _random_fields(rng, count * MAX_LINES, ORDER_LINE).reshape(count, -1)
            parts = []
            for header, lines_bytes, line_count in zip(headers, lines, line_counts, strict=True):
                body = header.tobytes() + lines_bytes[: line_count * line_length].tobytes()
                parts.append(len(body).to_bytes(2, "big") + b"\0\0" + body)
            out.write(b"".join(parts))
    return rows


# -- the baseline: what one would write first, one record and one field at a time ------------------------


def _baseline_value(raw: bytes, kind: str, scale: int) -> object:
    if kind == "text":
        return raw.decode("cp037").strip()
    if kind == "binary":
        return int.from_bytes(raw, "big", signed=True)
    packed = raw.hex()
    digits, sign = packed[:-1], packed[-1]
    if not digits.isdigit() or sign not in "abcdef":
        return None
    return Decimal(("-" if sign in "bd" else "") + digits).scaleb(-scale)


def baseline_fixed(path: Path) -> int:
    record_length = sum(length for _n, _k, length, _s in FIXED_FIELDS)
    rows = 0
    with path.open("rb") as data:
        while record := data.read(record_length):
            row, offset = {}, 0
            for name, kind, length, scale in FIXED_FIELDS:
                row[name] = _baseline_value(record[offset : offset + length], kind, scale)
                offset += length
            rows += 1
    return rows


def baseline_rdw(path: Path) -> int:
    rows = 0
    with path.open("rb") as data:
        while header := data.read(4):
            record = data.read(int.from_bytes(header[:2], "big"))
            row, offset = {}, 0
            for name, kind, length, scale in ORDER_HEADER:
                row[name] = _baseline_value(record[offset : offset + length], kind, scale)
                offset += length
            for index in range(1, int(row["LINE-COUNT"]) + 1):
                for name, kind, length, scale in ORDER_LINE:
                    row[f"ORDER-LINES({index}).{name}"] = _baseline_value(
                        record[offset : offset + length], kind, scale
                    )
                    offset += length
            rows += 1
    return rows


# -- the library decoder -----------------------------------------------------------------------------------


def vectorised(path: Path, copybook: str, record_format: str) -> int:
    from sfsync_assets.lib.copybook import CopybookDecoder, FramingSpec, RecordFormat, parse_copybook

    decoder = CopybookDecoder(parse_copybook(copybook))
    rows = 0
    for batch in decoder.decode_file(path, FramingSpec(RecordFormat(record_format))):
        rows += batch.table.num_rows
        assert not batch.issues, batch.issues[:3]
    return rows


def measure(case: str, decoder: str, directory: Path) -> dict[str, float]:
    """Runs in the child process: decode one file once and report time and memory."""
    path = directory / f"{case}.dat"
    run = {
        ("fixed", "vectorised"): lambda: vectorised(path, FIXED_COPYBOOK, "F"),
        ("fixed", "baseline"): lambda: baseline_fixed(path),
        ("rdw", "vectorised"): lambda: vectorised(path, RDW_COPYBOOK, "V"),
        ("rdw", "baseline"): lambda: baseline_rdw(path),
    }[(case, decoder)]
    if decoder == "vectorised":
        import sfsync_assets.lib.copybook  # noqa: F401  # imports (numpy, pyarrow) are not decoding time
    wall, cpu = time.perf_counter(), time.process_time()
    records = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"records": records, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak_kib / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mb", type=float, default=32.0, help="size of each generated file in MB (default 32)"
    )
    parser.add_argument("--quick", action="store_true", help="4 MB files: a smoke run for the test suite")
    parser.add_argument("--measure", nargs=3, metavar=("CASE", "DECODER", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.mb = 4.0
    if args.measure:
        case, decoder, directory = args.measure
        print(json.dumps(measure(case, decoder, Path(directory))))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-copybook-") as tmp:
        directory = Path(tmp)
        generate_fixed(directory / "fixed.dat", args.mb)
        generate_rdw(directory / "rdw.dat", args.mb)
        for case in ("fixed", "rdw"):
            size = (directory / f"{case}.dat").stat().st_size
            for decoder in ("vectorised", "baseline"):
                child = subprocess.run(
                    [sys.executable, __file__, "--measure", case, decoder, tmp],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = {"case": case, "decoder": decoder, "bytes": size, **json.loads(child.stdout)}
                result["mb_per_s"] = size / 1_000_000 / result["wall_s"]
                results.append(result)
    ratios = {}
    for case in ("fixed", "rdw"):
        fast, slow = (
            next(r for r in results if r["case"] == case and r["decoder"] == d)
            for d in ("vectorised", "baseline")
        )
        ratios[case] = {"wall": slow["wall_s"] / fast["wall_s"], "cpu": slow["cpu_s"] / fast["cpu_s"]}
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "mb": args.mb,
        "quick": args.quick,
        "results": results,
        "speedup_vs_baseline": ratios,
        "comparisons": [
            {
                "what": f"decode {case} EBCDIC records, MB/s",
                "ours": round(fast["mb_per_s"], 1),
                "baseline": round(slow["mb_per_s"], 1),
                "baseline_name": "per-record pure-Python decoder",
                "unit": "MB/s",
                "times_better": round(fast["mb_per_s"] / slow["mb_per_s"], 2),
            }
            for case in ("fixed", "rdw")
            for fast, slow in [
                tuple(
                    next(r for r in results if r["case"] == case and r["decoder"] == d)
                    for d in ("vectorised", "baseline")
                )
            ]
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print("| file | decoder | records | MB | wall s | CPU s | peak RSS MB | MB/s | speed-up (wall / CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = ratios[r["case"]]
        speedup = f"{ratio['wall']:.1f}x / {ratio['cpu']:.1f}x" if r["decoder"] == "vectorised" else ""
        print(
            f"| {r['case']} | {r['decoder']} | {r['records']} | {r['bytes'] / 1e6:.1f} | {r['wall_s']:.2f} "
            f"| {r['cpu_s']:.2f} | {r['peak_rss_mb']:.0f} | {r['mb_per_s']:.1f} | {speedup} |"
        )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
