"""Where the time goes, from py-spy's collapsed stacks (`poll_benchmark.py --profile`).

    .venv/bin/python loadtests/summarise_profile.py PROFILE_DIR [--top 15]

For each process: its samples; the share of samples spent in each package's
own code (by the file of the innermost frame: `services`, `shared` and `gateway`
are DânBàn's, the rest are libraries and the standard library); then the
functions holding the most samples including what they call (inclusive), and
the most on their own (self).
"""

import argparse
from collections import Counter
from pathlib import Path


def package(frame: str) -> str:
    """`poll_of (services/surveys/store.py:52)` → `services`; `json/decoder.py` → `json`."""
    where = frame.rpartition(" (")[2].rstrip(")").split(":")[0]
    return where.split("/")[0].removesuffix(".py") or "?"


def summarise(path: Path, top: int) -> str:
    inclusive, own, packages, total = Counter(), Counter(), Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames, samples = stack.split(";"), int(count)
        total += samples
        own[frames[-1]] += samples
        packages[package(frames[-1])] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    lines = [f"== {path.stem}: {total} samples"]
    shares = ", ".join(f"{name} {100 * n / total:.1f}%" for name, n in packages.most_common(top))
    lines.append(f"-- by package: {shares}")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- {title}")
        lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in counter.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    for path in sorted(args.folder.glob("*.txt")):
        print(summarise(path, args.top), end="\n\n")


if __name__ == "__main__":
    main()
