package routes.channel.slack;

/** Names the Slack channel's routes and envelopes share. */
public final class SlackConstants {

    /** The channel name, as in envelopes and the reply topic {@code caravan.outbound.slack}. */
    public static final String CHANNEL = "slack";

    /** The webhook path of the Events API (Request URL of the Slack app's Event Subscriptions). */
    public static final String EVENTS_PATH = "/webhooks/slack/events";

    /** Metadata: Slack's {@code event_id} of the event that carried the message. */
    public static final String META_EVENT_ID = "slackEventId";
    /** Metadata: the message's own {@code ts}. */
    public static final String META_TS = "slackTs";
    /** Metadata: the thread the message belongs to ({@code thread_ts}), when it is in one. */
    public static final String META_THREAD_TS = "slackThreadTs";
    /** Metadata: the Slack event type (message, app_mention). */
    public static final String META_EVENT_TYPE = "slackEventType";
    /** Metadata: the retry number Slack gave, when the event came as a retry. */
    public static final String META_RETRY_NUM = "slackRetryNum";

    /** Exchange property: the outcome of reading a webhook call ({@link SlackEvents.Outcome}). */
    public static final String OUTCOME = "CaravanSlackOutcome";
    /** Exchange property: the chunks of a reply still to be posted (List of String). */
    public static final String CHUNKS = "CaravanSlackChunks";

    private SlackConstants() {
    }
}
