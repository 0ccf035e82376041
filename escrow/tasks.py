from celery import shared_task

from trustplatform.registries.providers import RegistryUnavailable

from .services import agreements, contact, release


@shared_task(autoretry_for=(RegistryUnavailable,), retry_backoff=True, max_retries=5)
def agreement_evaluate_task(agreement_id: int) -> None:
    release.agreement_evaluate(agreement_id=agreement_id)


@shared_task
def agreement_safe_number_task(agreement_id: int) -> None:
    contact.safe_number_open(agreement_id=agreement_id)


@shared_task
def conditions_sweep() -> None:
    from escrow.models import EscrowAgreement

    funded = EscrowAgreement.objects.filter(status=EscrowAgreement.Status.FUNDED)
    for agreement_id in funded.values_list("pk", flat=True):
        agreement_evaluate_task.delay(agreement_id)


@shared_task
def milestones_sweep() -> None:
    due = release.milestones_due()
    for milestone_id in due["remind"]:
        milestone_remind_task.delay(milestone_id)
    for milestone_id in due["approve"]:
        milestone_auto_approve_task.delay(milestone_id)
    for milestone_id in due["retention"]:
        retention_release_task.delay(milestone_id)


@shared_task
def milestone_remind_task(milestone_id: int) -> None:
    release.milestone_remind(milestone_id=milestone_id)


@shared_task
def milestone_auto_approve_task(milestone_id: int) -> None:
    release.milestone_auto_approve(milestone_id=milestone_id)


@shared_task
def retention_release_task(milestone_id: int) -> None:
    release.retention_release(milestone_id=milestone_id)


@shared_task
def agreements_expire_sweep() -> None:
    for agreement_id in agreements.agreements_expire_due():
        agreement_expire_task.delay(agreement_id)


@shared_task
def agreement_expire_task(agreement_id: int) -> None:
    agreements.agreement_expire(agreement_id=agreement_id)
