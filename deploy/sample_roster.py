"""A household list in the import template's shape, with invented people.

    python -m deploy.sample_roster --households 30000 --groups 40 --out ds.xlsx

Writes one row per person (.csv in UTF-8, or .xlsx), as ward staff keep lists:
the household's unit, address and start date on its first row only. The
template files in gateway/static were written by it with `--households 6`.
"""

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from deploy.demo import FAMILY_NAMES, GIVEN_NAMES
from services.directory.roster import TEMPLATE_COLUMNS
from shared.ids import CODE_ALPHABET

RELATIVES = ("Vợ", "Chồng", "Con", "Con", "Mẹ", "Cháu")


def roster_rows(households: int, groups: int, seed: int = 7) -> Iterator[list[object]]:
    rng, codes = random.Random(seed), set()
    yield list(TEMPLATE_COLUMNS)
    while len(codes) < households:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        if code in codes:
            continue
        codes.add(code)
        family = rng.choice(FAMILY_NAMES)
        members = rng.randint(1, 5)
        designated = members > 2 and rng.random() < 0.1  # an elderly head, a son speaks for them
        people: set[tuple[str, int]] = set()
        while len(people) < members:
            head, speaks = not people, designated and len(people) == 1
            person = (
                f"{family if len(people) != 1 else rng.choice(FAMILY_NAMES)} "
                f"{rng.choice(GIVEN_NAMES)}",
                rng.randint(1940, 1995) if head or speaks else rng.randint(1940, 2020),
            )
            if person in people:
                continue  # two members with one name and birth year would be refused
            people.add(person)
            relation = "Chủ hộ" if head else rng.choice(RELATIVES)
            if speaks:
                relation = "Người đại diện"
            yield [
                code,
                f"Tổ dân phố {len(codes) % groups + 1}" if head else "",
                f"Số {rng.randint(1, 300)}, kiệt {rng.randint(1, 60)} đường Hương An"
                if head
                else "",
                person[0],
                relation,
                person[1],
                f"09{rng.randrange(10**8):08d}" if rng.random() < 0.6 else "",
                "01/07/2025" if head else "",
            ]


def write(path: Path, rows: Iterator[list[object]]) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Danh sách hộ")
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=6)
    parser.add_argument("--groups", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True, help="a .csv or .xlsx path")
    args = parser.parse_args()
    write(args.out, roster_rows(args.households, args.groups))


if __name__ == "__main__":
    main()
