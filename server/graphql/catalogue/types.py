"""GraphQL types of the agency's benefit catalogue."""

from datetime import date
from decimal import Decimal

import strawberry

from server.domain.catalogue import models
from server.graphql.context import Info
from server.graphql.mapping import from_model
from server.graphql.network.types import CareSpecialty

ProgramStatus = strawberry.enum(models.ProgramStatus, description="Where a program is in its life.")
BenefitKind = strawberry.enum(models.BenefitKind, description="What a benefit gives: a service, goods or money.")


@strawberry.type(description="A line of service of the agency, with its benefits and enrollments.")
class Program:
    record: strawberry.Private[models.Program]
    id: strawberry.ID = strawberry.field(description="The program's id.")
    name: str = strawberry.field(description="The program's name, unique in the agency.")
    description: str | None = strawberry.field(description="What the program is for.")
    status: ProgramStatus = strawberry.field(description="Where the program is in its life.")
    start_date: date | None = strawberry.field(description="When it starts.")
    end_date: date | None = strawberry.field(description="When it ends.")

    @strawberry.field(description="The program's active benefits, by name.")
    async def benefits(self, info: Info) -> list["Benefit"]:
        rows = await info.context.loaders.benefits_of_program.load(self.record.id)
        return [from_model(Benefit, row) for row in rows]


@strawberry.type(description="A kind of benefit, e.g. Mental Health.")
class BenefitType:
    record: strawberry.Private[models.BenefitType]
    id: strawberry.ID = strawberry.field(description="The benefit type's id.")
    name: str = strawberry.field(description="Its name, unique in the agency.")
    category: str | None = strawberry.field(description="A grouping of types, e.g. Health.")
    kind: BenefitKind = strawberry.field(description="Service, goods or money.")
    active: bool = strawberry.field(description="Whether new benefits may use it.")


@strawberry.type(description="A billable service and its rate per unit, e.g. CPT 90832 (psychotherapy, 30 minutes).")
class CodeSet:
    record: strawberry.Private[models.CodeSet]
    id: strawberry.ID = strawberry.field(description="The code set's id.")
    code: str = strawberry.field(description="The code, unique within its system in the agency.")
    system: str = strawberry.field(description="The coding system, e.g. CPT, HCPCS or LOCAL.")
    description: str = strawberry.field(description="What the code stands for.")
    rate: Decimal = strawberry.field(description="Amount per unit delivered, in the agency's currency.")
    active: bool = strawberry.field(description="Whether new item codes may use it.")


@strawberry.type(description="A named group of code sets, billed together.")
class CodeSetBundle:
    record: strawberry.Private[models.CodeSetBundle]
    id: strawberry.ID = strawberry.field(description="The bundle's id.")
    name: str = strawberry.field(description="Its name, unique in the agency.")
    description: str | None = strawberry.field(description="What the bundle covers.")
    active: bool = strawberry.field(description="Whether new item codes may use it.")

    @strawberry.field(description="The code sets in the bundle.")
    async def code_sets(self, info: Info) -> list[CodeSet]:
        members = await info.context.loaders.members_of_bundle.load(self.record.id)
        rows = await info.context.loaders.code_set.load_many([m.code_set_id for m in members])
        return [from_model(CodeSet, row) for row in rows]


@strawberry.type(description="A benefit's billing line: its own code (e.g. B-00034) for a code set or a bundle.")
class BenefitItemCode:
    record: strawberry.Private[models.BenefitItemCode]
    id: strawberry.ID = strawberry.field(description="The item code's id.")
    code: str = strawberry.field(description="The item code, unique in the agency.")
    active: bool = strawberry.field(description="Whether it is still billed.")

    @strawberry.field(description="The code set billed, when the item code is for one code set.")
    async def code_set(self, info: Info) -> CodeSet | None:
        if self.record.code_set_id is None:
            return None
        return from_model(CodeSet, await info.context.loaders.code_set.load(self.record.code_set_id))

    @strawberry.field(description="The bundle billed, when the item code is for a bundle.")
    async def code_set_bundle(self, info: Info) -> CodeSetBundle | None:
        if self.record.code_set_bundle_id is None:
            return None
        return from_model(
            CodeSetBundle, await info.context.loaders.code_set_bundle.load(self.record.code_set_bundle_id)
        )

    @strawberry.field(description="The benefit it bills for.")
    async def benefit(self, info: Info) -> "Benefit":
        return from_model(Benefit, await info.context.loaders.benefit.load(self.record.benefit_id))


@strawberry.type(description="A form of assistance the agency gives, within a program, e.g. Grief Counseling.")
class Benefit:
    record: strawberry.Private[models.Benefit]
    id: strawberry.ID = strawberry.field(description="The benefit's id.")
    name: str = strawberry.field(description="Its name, unique in its program.")
    description: str | None = strawberry.field(description="What the client receives.")
    unit_of_measure: str = strawberry.field(description="What one unit is: session, hour, meal, kit, USD…")
    requires_authorization: bool = strawberry.field(
        description="Whether the agency must authorize a referral before service starts."
    )
    active: bool = strawberry.field(description="Whether it can still be assigned.")

    @strawberry.field(description="The program it belongs to.")
    async def program(self, info: Info) -> Program:
        return from_model(Program, await info.context.loaders.program.load(self.record.program_id))

    @strawberry.field(description="Its benefit type.")
    async def benefit_type(self, info: Info) -> BenefitType:
        return from_model(BenefitType, await info.context.loaders.benefit_type.load(self.record.benefit_type_id))

    @strawberry.field(description="The care specialties a provider must offer to deliver it.")
    async def specialties(self, info: Info) -> list[CareSpecialty]:
        links = await info.context.loaders.specialties_of_benefit.load(self.record.id)
        rows = await info.context.loaders.specialty.load_many([link.specialty_id for link in links])
        return [from_model(CareSpecialty, row) for row in rows]

    @strawberry.field(description="Its active billing lines.")
    async def item_codes(self, info: Info) -> list[BenefitItemCode]:
        rows = await info.context.loaders.item_codes_of_benefit.load(self.record.id)
        return [from_model(BenefitItemCode, row) for row in rows]
