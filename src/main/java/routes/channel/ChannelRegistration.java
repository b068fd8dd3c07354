package routes.channel;

/**
 * Declares that a channel is enabled on this instance, so its reply topic {@code caravan.outbound.<name>} is
 * created at start-up. Each channel's configuration registers one as a bean when the channel is configured.
 *
 * @param name the channel name, as in envelopes and topic names
 */
public record ChannelRegistration(String name) {
}
