"""Loaders of the provider network: providers, facilities, specialties and the time zones they work in."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain import zones
from server.domain.network.facilities import active_facilities, offered_specialties
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.network.specialties import active_specialties
from server.graphql.loading import AreaLoaders, by_id, by_key, value_by_id


class NetworkLoaders(AreaLoaders):
    @cached_property
    def provider(self) -> DataLoader:
        return by_id(self.db, Provider)

    @cached_property
    def facility(self) -> DataLoader:
        return by_id(self.db, Facility)

    @cached_property
    def specialty(self) -> DataLoader:
        return by_id(self.db, CareSpecialty)

    @cached_property
    def provider_zone(self) -> DataLoader:
        return value_by_id(self.db, Provider, zones.provider_zone())

    @cached_property
    def facility_zone(self) -> DataLoader:
        return value_by_id(self.db, Facility, zones.facility_zone())

    @cached_property
    def facilities_of_provider(self) -> DataLoader:
        return by_key(self.db, Facility, Facility.provider_id, where=[active_facilities()], order=[Facility.name])

    @cached_property
    def specialties_of_facility(self) -> DataLoader:
        return by_key(self.db, FacilitySpecialty, FacilitySpecialty.facility_id, where=[offered_specialties()])

    @cached_property
    def children_of_specialty(self) -> DataLoader:
        return by_key(
            self.db, CareSpecialty, CareSpecialty.parent_id, where=[active_specialties()], order=[CareSpecialty.name]
        )
