"""Per-request DataLoaders: nested fields cost one statement per level, never one per row.

Each area keeps its loaders in `server/graphql/<area>/loaders.py`; `Loaders` is all of them, reached as
`info.context.loaders.<name>`. Each is made on first use: most requests need only a few. The generic pieces are in
`server.graphql.loading`; what a loader admits or how it orders what the caller sees is the domain's clause."""

from server.graphql.accounts.loaders import AccountsLoaders
from server.graphql.cases.loaders import CasesLoaders
from server.graphql.catalogue.loaders import CatalogueLoaders
from server.graphql.clients.loaders import ClientsLoaders
from server.graphql.delivery.loaders import DeliveryLoaders
from server.graphql.network.loaders import NetworkLoaders
from server.graphql.referrals.loaders import ReferralsLoaders


class Loaders(
    AccountsLoaders,
    NetworkLoaders,
    CatalogueLoaders,
    ClientsLoaders,
    ReferralsLoaders,
    DeliveryLoaders,
    CasesLoaders,
):
    """The request's loaders: every area's, made from the request's database and caller."""
