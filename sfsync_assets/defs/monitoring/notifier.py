"""The notifier alerts go to: Dagster's log by default; a Slack channel through dagster-slack when
`SFSYNC_SLACK_TOKEN` and `SFSYNC_SLACK_CHANNEL` are set (only such deployments install dagster-slack)."""

import os

import dagster as dg

from ...lib.reconcile.incidents import Incident


class NotifierError(RuntimeError):
    """The notifier is configured in a way it cannot work (Slack set up without dagster-slack installed)."""


class NotifierResource(dg.ConfigurableResource):
    """Where incidents go: the sensor's log, or a Slack channel when both Slack settings are given."""

    slack_token: str = ""
    slack_channel: str = ""

    def send(self, incident: Incident, log: dg.DagsterLogManager) -> None:
        if not (self.slack_token and self.slack_channel):
            log.warning(incident.message())
            return
        try:
            from dagster_slack import SlackResource  # only deployments that post to Slack install it
        except ImportError as error:
            raise NotifierError(
                "SFSYNC_SLACK_TOKEN is set but dagster-slack is not installed: pip install dagster-slack"
            ) from error
        client = SlackResource(token=self.slack_token).get_client()
        client.chat_postMessage(channel=self.slack_channel, text=incident.message())


def notifier_from_environment() -> NotifierResource:
    if os.environ.get("SFSYNC_SLACK_TOKEN"):
        return NotifierResource(
            slack_token=dg.EnvVar("SFSYNC_SLACK_TOKEN"), slack_channel=dg.EnvVar("SFSYNC_SLACK_CHANNEL")
        )
    return NotifierResource()
