"""Loaders of accounts: agencies and users, by id; users' invitations."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain.agencies import Agency
from server.domain.invitations import Invitation
from server.domain.users import User
from server.graphql.loading import AreaLoaders, by_id, by_key


class AccountsLoaders(AreaLoaders):
    @cached_property
    def agency(self) -> DataLoader:
        return by_id(self.db, Agency)

    @cached_property
    def user(self) -> DataLoader:
        return by_id(self.db, User)

    @cached_property
    def invitations_of_user(self) -> DataLoader:
        """Every invitation of each user (the domain's `invitation_state` reads where they stand)."""
        return by_key(self.db, Invitation, Invitation.user_id, order=[Invitation.created_at])
