"""Programs: an agency's lines of service, each with its benefits and enrollments."""

from sqlmodel.ext.asyncio.session import AsyncSession

from server.domain import validation as v
from server.domain.catalogue.entries import CatalogueEntries
from server.domain.catalogue.models import Program, ProgramStatus
from server.domain.errors import Invalid
from server.domain.principal import Principal


def check_enrolling(program: Program, *, field: str) -> None:
    """A completed or cancelled program takes no new enrollments."""
    if program.status in (ProgramStatus.COMPLETED, ProgramStatus.CANCELLED):
        raise Invalid(f"The program is {program.status.value.lower()}.", field=field)


async def _dates_in_order(_session: AsyncSession, _principal: Principal, program: Program, _values: dict) -> None:
    if program.start_date and program.end_date and program.end_date < program.start_date:
        raise Invalid("A program cannot end before it starts.", field="endDate")


programs = CatalogueEntries(
    Program,
    what="program",
    rules={
        "name": v.text(200, required=True),
        "description": v.text(2000),
        "status": v.choice(ProgramStatus),
        "start_date": v.a_date(),
        "end_date": v.a_date(),
    },
    unique=("name",),
    check=_dates_in_order,
)
