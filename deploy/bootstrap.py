"""Prepare a running stack: the first system administrator, and the demo ward.

    python -m deploy.bootstrap [--demo]

The administrator `admin` gets DANBAN_ADMIN_PASSWORD, only if no system
administrator exists yet (a later password change is never overwritten).
`./dev run` does this itself; a deployment runs it once (deploy/compose.yaml).
"""

import argparse
import asyncio

from deploy.demo import WARD, demo_groups, load_demo_ward
from deploy.demo_polls import load_demo_polls
from deploy.demo_recognition import load_demo_recognition
from deploy.demo_training import load_demo_training
from gateway.rpc import RpcClient
from shared.config import Settings, load_settings
from shared.contracts.staff import BootstrapAdmin


async def prepare(settings: Settings, demo: bool) -> tuple[bool, str | None]:
    """Returns whether this created the administrator, and with the demo, the card
    code of one demo household for the demo vote."""
    rpc = RpcClient(settings.amqp_uri, timeout=30)
    await rpc.start()
    try:
        reply = await rpc.call(
            "directory",
            "bootstrap_admin",
            BootstrapAdmin(password=settings.admin_password).model_dump(),
        )
        card_code = None
        if demo:
            await load_demo_ward(rpc)
            card_code = await load_demo_polls(rpc, WARD.id, demo_groups()[0].id)
            await load_demo_training(rpc, WARD.id, [group.id for group in demo_groups()])
            await load_demo_recognition(rpc, WARD.id)
    finally:
        await rpc.close()
    return reply["created"], card_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", action="store_true", help="also load the demo ward")
    args = parser.parse_args()
    created, card_code = asyncio.run(prepare(load_settings(), args.demo))
    print("administrator 'admin' created" if created else "an administrator already exists")
    if card_code:
        print(f"a demo household's ballot card: /b/{card_code}")


if __name__ == "__main__":
    main()
