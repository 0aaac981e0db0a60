"""Typed calls to the directory service, shared by pages, staff forms and the API."""

from gateway.rpc import RpcClient
from shared.contracts.directory import (
    LOCAL_LABELS,
    CommuneList,
    CommuneOverview,
    GetCommuneOverview,
    UnitKind,
)

# The law's words for a thôn or tổ dân phố a clerk may type: values the directory
# checks, offered as they are in every language.
LOCAL_LABEL_CHOICES = (
    *LOCAL_LABELS[UnitKind.RESIDENTIAL_GROUP],
    *LOCAL_LABELS[UnitKind.VILLAGE],
)


async def communes(rpc: RpcClient) -> CommuneList:
    return CommuneList.model_validate(await rpc.call("directory", "list_communes"))


async def commune_overview(rpc: RpcClient, commune_id: str) -> CommuneOverview:
    query = GetCommuneOverview(commune_id=commune_id).model_dump(mode="json")
    return CommuneOverview.model_validate(
        await rpc.call("directory", "get_commune_overview", query)
    )
