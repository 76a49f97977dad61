"""Mutations of the benefit catalogue: agency admins, inside their own agency. Nothing is deleted."""

import strawberry

from server.domain.catalogue import benefits as benefit_rules
from server.domain.catalogue import code_sets as code_set_rules
from server.domain.catalogue.benefits import benefit_types
from server.domain.catalogue.code_sets import code_sets, item_codes
from server.domain.catalogue.programs import programs
from server.graphql.catalogue import inputs
from server.graphql.catalogue.types import (
    Benefit,
    BenefitItemCode,
    BenefitType,
    CodeSet,
    CodeSetBundle,
    Program,
)
from server.graphql.context import Info
from server.graphql.mapping import input_values, parse_id
from server.graphql.payloads import payload, payload_type
from server.graphql.runner import run_mutation

ProgramPayload = payload_type(
    "ProgramPayload",
    "program",
    Program,
    "The program changed, or the errors that stopped the change.",
    "The program as saved; null on errors.",
)

BenefitTypePayload = payload_type(
    "BenefitTypePayload",
    "benefit_type",
    BenefitType,
    "The benefit type changed, or the errors that stopped the change.",
    "The benefit type as saved; null on errors.",
)

BenefitPayload = payload_type(
    "BenefitPayload",
    "benefit",
    Benefit,
    "The benefit changed, or the errors that stopped the change.",
    "The benefit as saved; null on errors.",
)

CodeSetPayload = payload_type(
    "CodeSetPayload",
    "code_set",
    CodeSet,
    "The code set changed, or the errors that stopped the change.",
    "The code set as saved; null on errors.",
)

CodeSetBundlePayload = payload_type(
    "CodeSetBundlePayload",
    "code_set_bundle",
    CodeSetBundle,
    "The code set bundle changed, or the errors that stopped the change.",
    "The bundle as saved; null on errors.",
)

BenefitItemCodePayload = payload_type(
    "BenefitItemCodePayload",
    "benefit_item_code",
    BenefitItemCode,
    "The benefit item code changed, or the errors that stopped the change.",
    "The item code as saved; null on errors.",
)


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(description="Adds a program. Agency admins.")
    async def create_program(self, info: Info, input: inputs.ProgramCreateInput) -> ProgramPayload:
        return payload(ProgramPayload, await run_mutation(info, programs.create, input_values(input)))

    @strawberry.mutation(description="Changes a program, including its status (how a program ends). Agency admins.")
    async def update_program(self, info: Info, id: strawberry.ID, input: inputs.ProgramUpdateInput) -> ProgramPayload:
        return payload(
            ProgramPayload,
            await run_mutation(info, lambda s, p: programs.update(s, p, parse_id(id), input_values(input))),
        )

    @strawberry.mutation(description="Adds a benefit type. Agency admins.")
    async def create_benefit_type(self, info: Info, input: inputs.BenefitTypeCreateInput) -> BenefitTypePayload:
        return payload(BenefitTypePayload, await run_mutation(info, benefit_types.create, input_values(input)))

    @strawberry.mutation(description="Changes a benefit type. Agency admins.")
    async def update_benefit_type(
        self, info: Info, id: strawberry.ID, input: inputs.BenefitTypeUpdateInput
    ) -> BenefitTypePayload:
        return payload(
            BenefitTypePayload,
            await run_mutation(info, lambda s, p: benefit_types.update(s, p, parse_id(id), input_values(input))),
        )

    @strawberry.mutation(description="Retires a benefit type; benefits keep it. Agency admins.")
    async def deactivate_benefit_type(self, info: Info, id: strawberry.ID) -> BenefitTypePayload:
        return payload(
            BenefitTypePayload, await run_mutation(info, lambda s, p: benefit_types.deactivate(s, p, parse_id(id)))
        )

    @strawberry.mutation(description="Adds a benefit to a program. Agency admins.")
    async def create_benefit(self, info: Info, input: inputs.BenefitCreateInput) -> BenefitPayload:
        values = input_values(input, skip=("specialty_ids",))
        required = input_values(input).get("specialty_ids")
        return payload(BenefitPayload, await run_mutation(info, benefit_rules.create_benefit, values, required))

    @strawberry.mutation(description="Changes a benefit and its required specialties. Agency admins.")
    async def update_benefit(self, info: Info, id: strawberry.ID, input: inputs.BenefitUpdateInput) -> BenefitPayload:
        values = input_values(input, skip=("specialty_ids",))
        required = input_values(input).get("specialty_ids")
        return payload(
            BenefitPayload,
            await run_mutation(info, lambda s, p: benefit_rules.update_benefit(s, p, parse_id(id), values, required)),
        )

    @strawberry.mutation(description="Retires a benefit: no new assignments, history kept. Agency admins.")
    async def deactivate_benefit(self, info: Info, id: strawberry.ID) -> BenefitPayload:
        return payload(
            BenefitPayload, await run_mutation(info, lambda s, p: benefit_rules.benefits.deactivate(s, p, parse_id(id)))
        )

    @strawberry.mutation(description="Adds a code set. Agency admins.")
    async def create_code_set(self, info: Info, input: inputs.CodeSetCreateInput) -> CodeSetPayload:
        return payload(CodeSetPayload, await run_mutation(info, code_sets.create, input_values(input)))

    @strawberry.mutation(description="Changes a code set, its rate included. Agency admins.")
    async def update_code_set(self, info: Info, id: strawberry.ID, input: inputs.CodeSetUpdateInput) -> CodeSetPayload:
        return payload(
            CodeSetPayload,
            await run_mutation(info, lambda s, p: code_sets.update(s, p, parse_id(id), input_values(input))),
        )

    @strawberry.mutation(description="Retires a code set; past records keep it. Agency admins.")
    async def deactivate_code_set(self, info: Info, id: strawberry.ID) -> CodeSetPayload:
        return payload(CodeSetPayload, await run_mutation(info, lambda s, p: code_sets.deactivate(s, p, parse_id(id))))

    @strawberry.mutation(description="Adds a code set bundle. Agency admins.")
    async def create_code_set_bundle(self, info: Info, input: inputs.CodeSetBundleCreateInput) -> CodeSetBundlePayload:
        values = input_values(input, skip=("code_set_ids",))
        members = input_values(input).get("code_set_ids")
        return payload(
            CodeSetBundlePayload,
            await run_mutation(info, code_set_rules.create_bundle, values, members),
        )

    @strawberry.mutation(description="Changes a code set bundle and its code sets. Agency admins.")
    async def update_code_set_bundle(
        self, info: Info, id: strawberry.ID, input: inputs.CodeSetBundleUpdateInput
    ) -> CodeSetBundlePayload:
        values = input_values(input, skip=("code_set_ids",))
        members = input_values(input).get("code_set_ids")
        return payload(
            CodeSetBundlePayload,
            await run_mutation(info, lambda s, p: code_set_rules.update_bundle(s, p, parse_id(id), values, members)),
        )

    @strawberry.mutation(description="Retires a code set bundle. Agency admins.")
    async def deactivate_code_set_bundle(self, info: Info, id: strawberry.ID) -> CodeSetBundlePayload:
        return payload(
            CodeSetBundlePayload,
            await run_mutation(info, lambda s, p: code_set_rules.bundles.deactivate(s, p, parse_id(id))),
        )

    @strawberry.mutation(description="Adds a billing line to a benefit. Agency admins.")
    async def create_benefit_item_code(
        self, info: Info, input: inputs.BenefitItemCodeCreateInput
    ) -> BenefitItemCodePayload:
        return payload(BenefitItemCodePayload, await run_mutation(info, item_codes.create, input_values(input)))

    @strawberry.mutation(description="Changes a billing line. Agency admins.")
    async def update_benefit_item_code(
        self, info: Info, id: strawberry.ID, input: inputs.BenefitItemCodeUpdateInput
    ) -> BenefitItemCodePayload:
        return payload(
            BenefitItemCodePayload,
            await run_mutation(info, lambda s, p: item_codes.update(s, p, parse_id(id), input_values(input))),
        )

    @strawberry.mutation(description="Retires a billing line. Agency admins.")
    async def deactivate_benefit_item_code(self, info: Info, id: strawberry.ID) -> BenefitItemCodePayload:
        return payload(
            BenefitItemCodePayload, await run_mutation(info, lambda s, p: item_codes.deactivate(s, p, parse_id(id)))
        )
