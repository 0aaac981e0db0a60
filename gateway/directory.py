"""Typed calls to the directory service, shared by pages, staff forms and the API."""

from gateway.rpc import RpcClient
from shared.contracts.directory import CommuneList, CommuneOverview, GetCommuneOverview

# The law's words for a thôn or tổ dân phố a clerk may type (services/directory/domain.py
# LOCAL_LABELS): values the directory checks, offered as they are in every language.
LOCAL_LABEL_CHOICES = (
    "tổ dân phố",  # i18n-exempt: a value
    "khu phố",  # i18n-exempt: a value
    "khối phố",  # i18n-exempt: a value
    "khóm",  # i18n-exempt: a value
    "tiểu khu",  # i18n-exempt: a value
    "thôn",  # i18n-exempt: a value
    "làng",  # i18n-exempt: a value
    "ấp",  # i18n-exempt: a value
    "bản",  # i18n-exempt: a value
    "buôn",  # i18n-exempt: a value
    "bon",
    "phum",
    "sóc",  # i18n-exempt: a value
)


async def communes(rpc: RpcClient) -> CommuneList:
    return CommuneList.model_validate(await rpc.call("directory", "list_communes"))


async def commune_overview(rpc: RpcClient, commune_id: str) -> CommuneOverview:
    query = GetCommuneOverview(commune_id=commune_id).model_dump(mode="json")
    return CommuneOverview.model_validate(
        await rpc.call("directory", "get_commune_overview", query)
    )
