package routes.pipeline;

/** Exchange property names the pipeline's steps share. */
public final class PipelineConstants {

    /** The record's bytes as consumed: what the DLQ keeps. */
    public static final String RAW = "CaravanRaw";
    /** The decoded inbound {@link routes.envelope.Envelope}. */
    public static final String INBOUND = "CaravanInbound";
    /** Dedupe key of the inbound message. */
    public static final String DEDUPE_KEY = "CaravanDedupeKey";
    /** History turns loaded for the message (List of Turn). */
    public static final String HISTORY = "CaravanHistory";
    /** The {@link routes.model.ModelReply}, when the model answered. */
    public static final String MODEL_REPLY = "CaravanModelReply";
    /** The reply {@link routes.envelope.Envelope}. */
    public static final String REPLY = "CaravanReply";
    /** Exchange property: the message is deliberately left without an answer (a stranger in a group). */
    public static final String SILENT = "CaravanSilent";
    /** Why a message went to the DLQ. */
    public static final String DLQ_REASON = "CaravanDlqReason";

    private PipelineConstants() {
    }
}
