"""Loaders of the catalogue: programs, benefits, benefit types, code sets and bundles."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain.catalogue import code_sets
from server.domain.catalogue.benefits import active_benefit_specialties, active_benefits
from server.domain.catalogue.models import (
    Benefit,
    BenefitItemCode,
    BenefitSpecialty,
    BenefitType,
    CodeSet,
    CodeSetBundle,
    CodeSetBundleMember,
    Program,
)
from server.graphql.loading import AreaLoaders, by_id, by_key, computed


class CatalogueLoaders(AreaLoaders):
    @cached_property
    def program(self) -> DataLoader:
        return by_id(self.db, Program)

    @cached_property
    def benefit(self) -> DataLoader:
        return by_id(self.db, Benefit)

    @cached_property
    def benefit_type(self) -> DataLoader:
        return by_id(self.db, BenefitType)

    @cached_property
    def code_set(self) -> DataLoader:
        return by_id(self.db, CodeSet)

    @cached_property
    def code_set_bundle(self) -> DataLoader:
        return by_id(self.db, CodeSetBundle)

    @cached_property
    def benefits_of_program(self) -> DataLoader:
        return by_key(self.db, Benefit, Benefit.program_id, where=[active_benefits()], order=[Benefit.name])

    @cached_property
    def specialties_of_benefit(self) -> DataLoader:
        return by_key(self.db, BenefitSpecialty, BenefitSpecialty.benefit_id, where=[active_benefit_specialties()])

    @cached_property
    def item_codes_of_benefit(self) -> DataLoader:
        return by_key(
            self.db,
            BenefitItemCode,
            BenefitItemCode.benefit_id,
            where=[code_sets.active_item_codes()],
            order=[BenefitItemCode.code],
        )

    @cached_property
    def members_of_bundle(self) -> DataLoader:
        return by_key(
            self.db, CodeSetBundleMember, CodeSetBundleMember.bundle_id, where=[code_sets.active_bundle_members()]
        )

    @cached_property
    def code_sets_billing_benefit(self) -> DataLoader:
        return computed(self.db, code_sets.billing_code_sets)
