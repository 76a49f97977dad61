"""Loaders of referrals: by id, a referral's history, a participant's referrals."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain.referrals.models import Referral, ReferralEvent, sent
from server.graphql.loading import AreaLoaders, by_id, by_key


class ReferralsLoaders(AreaLoaders):
    @cached_property
    def referral(self) -> DataLoader:
        return by_id(self.db, Referral)

    @cached_property
    def history_of_referral(self) -> DataLoader:
        return by_key(self.db, ReferralEvent, ReferralEvent.referral_id)

    @cached_property
    def referrals_of_participant(self) -> DataLoader:
        return by_key(self.db, Referral, Referral.participant_id, order=[Referral.id.desc()])

    @cached_property
    def sent_referrals_of_participant(self) -> DataLoader:
        return by_key(self.db, Referral, Referral.participant_id, where=[sent()], order=[Referral.id.desc()])
