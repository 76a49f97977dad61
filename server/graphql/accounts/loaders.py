"""Loaders of accounts: agencies and users, by id."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain.agencies import Agency
from server.domain.users import User
from server.graphql.loading import AreaLoaders, by_id


class AccountsLoaders(AreaLoaders):
    @cached_property
    def agency(self) -> DataLoader:
        return by_id(self.db, Agency)

    @cached_property
    def user(self) -> DataLoader:
        return by_id(self.db, User)
