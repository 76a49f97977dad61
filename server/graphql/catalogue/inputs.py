"""GraphQL inputs of the benefit catalogue. Absent fields of an update input are left as they are."""

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import UNSET

from server.graphql.catalogue.types import BenefitKind, ProgramStatus


@strawberry.input(description="Narrows a catalogue list.")
class CatalogueFilter:
    search: str | None = strawberry.field(default=None, description="Part of the name or code, any case.")
    include_inactive: bool = strawberry.field(default=False, description="Also list inactive entries.")


@strawberry.input(description="Narrows the benefits listed.")
class BenefitFilter:
    search: str | None = strawberry.field(default=None, description="Part of the name, any case.")
    program_id: strawberry.ID | None = strawberry.field(default=None, description="Only this program's.")
    include_inactive: bool = strawberry.field(default=False, description="Also list inactive benefits.")


@strawberry.input(description="A new program.")
class ProgramCreateInput:
    name: str = strawberry.field(description="Unique in the agency.")
    description: str | None = strawberry.field(default=UNSET, description="What the program is for.")
    status: ProgramStatus | None = strawberry.field(default=UNSET, description="PLANNED unless given.")
    start_date: date | None = strawberry.field(default=UNSET, description="When it starts.")
    end_date: date | None = strawberry.field(default=UNSET, description="When it ends; not before the start.")


@strawberry.input(description="Changes to a program: only the fields given change.")
class ProgramUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Unique in the agency.")
    description: str | None = strawberry.field(default=UNSET, description="What the program is for.")
    status: ProgramStatus | None = strawberry.field(default=UNSET, description="Where it is in its life.")
    start_date: date | None = strawberry.field(default=UNSET, description="When it starts.")
    end_date: date | None = strawberry.field(default=UNSET, description="When it ends; not before the start.")


@strawberry.input(description="A new benefit type.")
class BenefitTypeCreateInput:
    name: str = strawberry.field(description="Unique in the agency.")
    kind: BenefitKind = strawberry.field(description="Service, goods or money.")
    category: str | None = strawberry.field(default=UNSET, description="A grouping of types.")


@strawberry.input(description="Changes to a benefit type: only the fields given change.")
class BenefitTypeUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Unique in the agency.")
    kind: BenefitKind | None = strawberry.field(default=UNSET, description="Service, goods or money.")
    category: str | None = strawberry.field(default=UNSET, description="A grouping of types.")


@strawberry.input(description="A new benefit.")
class BenefitCreateInput:
    program_id: strawberry.ID = strawberry.field(description="The program it belongs to.")
    benefit_type_id: strawberry.ID = strawberry.field(description="Its benefit type.")
    name: str = strawberry.field(description="Unique in its program.")
    unit_of_measure: str = strawberry.field(description="What one unit is: session, hour, meal, kit, USD…")
    description: str | None = strawberry.field(default=UNSET, description="What the client receives.")
    requires_authorization: bool | None = strawberry.field(
        default=UNSET,
        description="Whether the agency must authorize a referral before service starts; false unless given.",
    )
    specialty_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="The care specialties a provider must offer to deliver it."
    )


@strawberry.input(description="Changes to a benefit: only the fields given change.")
class BenefitUpdateInput:
    program_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The program it belongs to.")
    benefit_type_id: strawberry.ID | None = strawberry.field(default=UNSET, description="Its benefit type.")
    name: str | None = strawberry.field(default=UNSET, description="Unique in its program.")
    unit_of_measure: str | None = strawberry.field(
        default=UNSET, description="What one unit is: session, hour, meal, kit, USD…"
    )
    description: str | None = strawberry.field(default=UNSET, description="What the client receives.")
    requires_authorization: bool | None = strawberry.field(
        default=UNSET, description="Whether the agency must authorize a referral before service starts."
    )
    specialty_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="The full list of required care specialties from now on."
    )


@strawberry.input(description="A new code set.")
class CodeSetCreateInput:
    code: str = strawberry.field(description="The code, unique within its system.")
    description: str = strawberry.field(description="What the code stands for.")
    rate: Decimal = strawberry.field(description="Amount per unit, at most two decimal places.")
    system: str | None = strawberry.field(default=UNSET, description="The coding system; CPT unless given.")


@strawberry.input(description="Changes to a code set: only the fields given change.")
class CodeSetUpdateInput:
    code: str | None = strawberry.field(default=UNSET, description="The code, unique within its system.")
    description: str | None = strawberry.field(default=UNSET, description="What the code stands for.")
    rate: Decimal | None = strawberry.field(default=UNSET, description="Amount per unit.")
    system: str | None = strawberry.field(default=UNSET, description="The coding system.")


@strawberry.input(description="A new code set bundle.")
class CodeSetBundleCreateInput:
    name: str = strawberry.field(description="Unique in the agency.")
    description: str | None = strawberry.field(default=UNSET, description="What the bundle covers.")
    code_set_ids: list[strawberry.ID] | None = strawberry.field(default=UNSET, description="Its code sets.")


@strawberry.input(description="Changes to a code set bundle: only the fields given change.")
class CodeSetBundleUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Unique in the agency.")
    description: str | None = strawberry.field(default=UNSET, description="What the bundle covers.")
    code_set_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="The full list of its code sets from now on."
    )


@strawberry.input(description="A new billing line of a benefit: give a code set or a bundle, not both.")
class BenefitItemCodeCreateInput:
    benefit_id: strawberry.ID = strawberry.field(description="The benefit it bills for.")
    code: str = strawberry.field(description="Unique in the agency, e.g. B-00034.")
    code_set_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The code set billed.")
    code_set_bundle_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The bundle billed.")


@strawberry.input(description="Changes to a billing line: only the fields given change.")
class BenefitItemCodeUpdateInput:
    code: str | None = strawberry.field(default=UNSET, description="Unique in the agency.")
    code_set_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The code set billed.")
    code_set_bundle_id: strawberry.ID | None = strawberry.field(default=UNSET, description="The bundle billed.")
