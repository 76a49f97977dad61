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
from server.graphql.errors import UserError
from server.graphql.mapping import input_values, parse_id
from server.graphql.runner import payload, run_mutation

ERRORS = "Why the change was refused; empty when it was made."


@strawberry.type(description="The program changed, or the errors that stopped the change.")
class ProgramPayload:
    program: Program | None = strawberry.field(description="The program as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The benefit type changed, or the errors that stopped the change.")
class BenefitTypePayload:
    benefit_type: BenefitType | None = strawberry.field(description="The benefit type as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The benefit changed, or the errors that stopped the change.")
class BenefitPayload:
    benefit: Benefit | None = strawberry.field(description="The benefit as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The code set changed, or the errors that stopped the change.")
class CodeSetPayload:
    code_set: CodeSet | None = strawberry.field(description="The code set as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The code set bundle changed, or the errors that stopped the change.")
class CodeSetBundlePayload:
    code_set_bundle: CodeSetBundle | None = strawberry.field(description="The bundle as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The benefit item code changed, or the errors that stopped the change.")
class BenefitItemCodePayload:
    benefit_item_code: BenefitItemCode | None = strawberry.field(description="The item code as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


def _program(result) -> ProgramPayload:
    return payload(ProgramPayload, Program, "program", result)


def _benefit_type(result) -> BenefitTypePayload:
    return payload(BenefitTypePayload, BenefitType, "benefit_type", result)


def _benefit(result) -> BenefitPayload:
    return payload(BenefitPayload, Benefit, "benefit", result)


def _code_set(result) -> CodeSetPayload:
    return payload(CodeSetPayload, CodeSet, "code_set", result)


def _bundle(result) -> CodeSetBundlePayload:
    return payload(CodeSetBundlePayload, CodeSetBundle, "code_set_bundle", result)


def _item_code(result) -> BenefitItemCodePayload:
    return payload(BenefitItemCodePayload, BenefitItemCode, "benefit_item_code", result)


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation(description="Adds a program. Agency admins.")
    async def create_program(self, info: Info, input: inputs.ProgramCreateInput) -> ProgramPayload:
        return _program(await run_mutation(info, lambda s, p: programs.create(s, p, input_values(input))))

    @strawberry.mutation(description="Changes a program, including its status (how a program ends). Agency admins.")
    async def update_program(self, info: Info, id: strawberry.ID, input: inputs.ProgramUpdateInput) -> ProgramPayload:
        return _program(await run_mutation(info, lambda s, p: programs.update(s, p, parse_id(id), input_values(input))))

    @strawberry.mutation(description="Adds a benefit type. Agency admins.")
    async def create_benefit_type(self, info: Info, input: inputs.BenefitTypeCreateInput) -> BenefitTypePayload:
        return _benefit_type(await run_mutation(info, lambda s, p: benefit_types.create(s, p, input_values(input))))

    @strawberry.mutation(description="Changes a benefit type. Agency admins.")
    async def update_benefit_type(
        self, info: Info, id: strawberry.ID, input: inputs.BenefitTypeUpdateInput
    ) -> BenefitTypePayload:
        return _benefit_type(
            await run_mutation(info, lambda s, p: benefit_types.update(s, p, parse_id(id), input_values(input)))
        )

    @strawberry.mutation(description="Retires a benefit type; benefits keep it. Agency admins.")
    async def deactivate_benefit_type(self, info: Info, id: strawberry.ID) -> BenefitTypePayload:
        return _benefit_type(await run_mutation(info, lambda s, p: benefit_types.deactivate(s, p, parse_id(id))))

    @strawberry.mutation(description="Adds a benefit to a program. Agency admins.")
    async def create_benefit(self, info: Info, input: inputs.BenefitCreateInput) -> BenefitPayload:
        values = input_values(input, skip=("specialty_ids",))
        required = input_values(input).get("specialty_ids")
        return _benefit(await run_mutation(info, lambda s, p: benefit_rules.create_benefit(s, p, values, required)))

    @strawberry.mutation(description="Changes a benefit and its required specialties. Agency admins.")
    async def update_benefit(self, info: Info, id: strawberry.ID, input: inputs.BenefitUpdateInput) -> BenefitPayload:
        values = input_values(input, skip=("specialty_ids",))
        required = input_values(input).get("specialty_ids")
        return _benefit(
            await run_mutation(info, lambda s, p: benefit_rules.update_benefit(s, p, parse_id(id), values, required))
        )

    @strawberry.mutation(description="Retires a benefit: no new assignments, history kept. Agency admins.")
    async def deactivate_benefit(self, info: Info, id: strawberry.ID) -> BenefitPayload:
        return _benefit(await run_mutation(info, lambda s, p: benefit_rules.benefits.deactivate(s, p, parse_id(id))))

    @strawberry.mutation(description="Adds a code set. Agency admins.")
    async def create_code_set(self, info: Info, input: inputs.CodeSetCreateInput) -> CodeSetPayload:
        return _code_set(await run_mutation(info, lambda s, p: code_sets.create(s, p, input_values(input))))

    @strawberry.mutation(description="Changes a code set, its rate included. Agency admins.")
    async def update_code_set(self, info: Info, id: strawberry.ID, input: inputs.CodeSetUpdateInput) -> CodeSetPayload:
        return _code_set(
            await run_mutation(info, lambda s, p: code_sets.update(s, p, parse_id(id), input_values(input)))
        )

    @strawberry.mutation(description="Retires a code set; past records keep it. Agency admins.")
    async def deactivate_code_set(self, info: Info, id: strawberry.ID) -> CodeSetPayload:
        return _code_set(await run_mutation(info, lambda s, p: code_sets.deactivate(s, p, parse_id(id))))

    @strawberry.mutation(description="Adds a code set bundle. Agency admins.")
    async def create_code_set_bundle(self, info: Info, input: inputs.CodeSetBundleCreateInput) -> CodeSetBundlePayload:
        values = input_values(input, skip=("code_set_ids",))
        members = input_values(input).get("code_set_ids")
        return _bundle(await run_mutation(info, lambda s, p: code_set_rules.create_bundle(s, p, values, members)))

    @strawberry.mutation(description="Changes a code set bundle and its code sets. Agency admins.")
    async def update_code_set_bundle(
        self, info: Info, id: strawberry.ID, input: inputs.CodeSetBundleUpdateInput
    ) -> CodeSetBundlePayload:
        values = input_values(input, skip=("code_set_ids",))
        members = input_values(input).get("code_set_ids")
        return _bundle(
            await run_mutation(info, lambda s, p: code_set_rules.update_bundle(s, p, parse_id(id), values, members))
        )

    @strawberry.mutation(description="Retires a code set bundle. Agency admins.")
    async def deactivate_code_set_bundle(self, info: Info, id: strawberry.ID) -> CodeSetBundlePayload:
        return _bundle(await run_mutation(info, lambda s, p: code_set_rules.bundles.deactivate(s, p, parse_id(id))))

    @strawberry.mutation(description="Adds a billing line to a benefit. Agency admins.")
    async def create_benefit_item_code(
        self, info: Info, input: inputs.BenefitItemCodeCreateInput
    ) -> BenefitItemCodePayload:
        return _item_code(await run_mutation(info, lambda s, p: item_codes.create(s, p, input_values(input))))

    @strawberry.mutation(description="Changes a billing line. Agency admins.")
    async def update_benefit_item_code(
        self, info: Info, id: strawberry.ID, input: inputs.BenefitItemCodeUpdateInput
    ) -> BenefitItemCodePayload:
        return _item_code(
            await run_mutation(info, lambda s, p: item_codes.update(s, p, parse_id(id), input_values(input)))
        )

    @strawberry.mutation(description="Retires a billing line. Agency admins.")
    async def deactivate_benefit_item_code(self, info: Info, id: strawberry.ID) -> BenefitItemCodePayload:
        return _item_code(await run_mutation(info, lambda s, p: item_codes.deactivate(s, p, parse_id(id))))
