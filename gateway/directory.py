"""Typed calls to the directory service, shared by pages, staff forms and the API."""

from gateway.rpc import RpcClient
from shared.contracts.directory import CommuneList, CommuneOverview, GetCommuneOverview


async def communes(rpc: RpcClient) -> CommuneList:
    return CommuneList.model_validate(await rpc.call("directory", "list_communes"))


async def commune_overview(rpc: RpcClient, commune_id: str) -> CommuneOverview:
    query = GetCommuneOverview(commune_id=commune_id).model_dump(mode="json")
    return CommuneOverview.model_validate(
        await rpc.call("directory", "get_commune_overview", query)
    )
