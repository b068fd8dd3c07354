package routes.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import routes.channel.GroupPolicy;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

class TelegramUpdateMapperTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BOT = "7000001";

    static JsonNode update(String json) throws Exception {
        return JSON.readTree(json);
    }

    static Envelope published(TelegramUpdateMapper.Outcome outcome) {
        assertThat(outcome).isInstanceOf(TelegramUpdateMapper.Publish.class);
        return ((TelegramUpdateMapper.Publish) outcome).envelope().build();
    }

    static String reason(TelegramUpdateMapper.Outcome outcome) {
        assertThat(outcome).isInstanceOf(TelegramUpdateMapper.Ignore.class);
        return ((TelegramUpdateMapper.Ignore) outcome).reason();
    }

    @Test
    void privateMessageBecomesAnEnvelopeWhoseIdComesFromTheUpdateId() throws Exception {
        var outcome = TelegramUpdateMapper.map(update("""
                {"update_id": 901, "message": {"message_id": 17, "date": 1700000000, "text": "hi there",
                 "from": {"id": 555, "is_bot": false, "first_name": "Ada", "last_name": "Lovelace"},
                 "chat": {"id": 555, "type": "private"}}}"""), BOT, null, GroupPolicy.MENTION);

        Envelope e = published(outcome);
        assertThat(e.id()).isEqualTo("7000001:901");
        assertThat(e.channel()).isEqualTo("telegram");
        assertThat(e.account()).isEqualTo(BOT);
        assertThat(e.chatId()).isEqualTo("555");
        assertThat(e.chatType()).isEqualTo(ChatType.DIRECT);
        assertThat(e.senderId()).isEqualTo("555");
        assertThat(e.senderName()).isEqualTo("Ada Lovelace");
        assertThat(e.text()).isEqualTo("hi there");
        assertThat(e.replyTo()).isEqualTo("17");
        assertThat(e.mentioned()).isNull();
        assertThat(e.meta(TelegramConstants.META_UPDATE_ID)).isEqualTo("901");
    }

    @Test
    void theSameUpdateAlwaysGetsTheSameId() throws Exception {
        String json = """
                {"update_id": 902, "message": {"message_id": 1, "text": "x",
                 "from": {"id": 5, "first_name": "A"}, "chat": {"id": 5, "type": "private"}}}""";
        assertThat(published(TelegramUpdateMapper.map(update(json), BOT, null, GroupPolicy.MENTION)).dedupeKey())
                .isEqualTo(published(TelegramUpdateMapper.map(update(json), BOT, null, GroupPolicy.MENTION))
                        .dedupeKey());
    }

    @Test
    void groupMessagesFollowTheGroupPolicy() throws Exception {
        String plain = """
                {"update_id": 903, "message": {"message_id": 2, "text": "morning all",
                 "from": {"id": 6, "first_name": "Grace"}, "chat": {"id": -100123, "type": "supergroup"}}}""";
        String mention = """
                {"update_id": 904, "message": {"message_id": 3, "text": "hey @CARAVAN_bot, help",
                 "from": {"id": 6, "first_name": "Grace"}, "chat": {"id": -100123, "type": "group"}}}""";

        assertThat(reason(TelegramUpdateMapper.map(update(plain), BOT, "caravan_bot", GroupPolicy.MENTION)))
                .contains("group policy mention");
        Envelope addressed = published(
                TelegramUpdateMapper.map(update(mention), BOT, "caravan_bot", GroupPolicy.MENTION));
        assertThat(addressed.chatType()).isEqualTo(ChatType.GROUP);
        assertThat(addressed.mentioned()).isTrue();

        Envelope always = published(TelegramUpdateMapper.map(update(plain), BOT, "caravan_bot", GroupPolicy.ALWAYS));
        assertThat(always.mentioned()).isFalse();
        assertThat(reason(TelegramUpdateMapper.map(update(mention), BOT, "caravan_bot", GroupPolicy.NEVER)))
                .contains("group policy never");
    }

    @Test
    void aReplyToTheBotIsAMentionAndAReplyToSomeoneElseIsNot() throws Exception {
        String toBot = """
                {"update_id": 905, "message": {"message_id": 4, "text": "and then?",
                 "from": {"id": 6, "first_name": "Grace"}, "chat": {"id": -1, "type": "group"},
                 "reply_to_message": {"message_id": 3, "from": {"id": 7000001, "is_bot": true}}}}""";
        String toPerson = toBot.replace("7000001", "8");

        assertThat(published(TelegramUpdateMapper.map(update(toBot), BOT, null, GroupPolicy.MENTION)).mentioned())
                .isTrue();
        assertThat(TelegramUpdateMapper.map(update(toPerson), BOT, null, GroupPolicy.MENTION))
                .isInstanceOf(TelegramUpdateMapper.Ignore.class);
    }

    @Test
    void aLongerNameStartingWithTheBotsNameIsNoMention() {
        assertThat(TelegramUpdateMapper.mentions("ask @caravan_bot2 instead", "caravan_bot")).isFalse();
        assertThat(TelegramUpdateMapper.mentions("ask @caravan_bot.", "caravan_bot")).isTrue();
        assertThat(TelegramUpdateMapper.mentions("/help@caravan_bot", "caravan_bot")).isTrue();
        assertThat(TelegramUpdateMapper.mentions("ask @caravan_bot", null)).isFalse();
    }

    @Test
    void updatesWithoutAnAnswerableMessageAreIgnored() throws Exception {
        assertThat(reason(TelegramUpdateMapper.map(update("""
                {"update_id": 906, "edited_message": {"message_id": 1, "text": "fixed typo",
                 "from": {"id": 5}, "chat": {"id": 5, "type": "private"}}}"""), BOT, null, GroupPolicy.MENTION)))
                .contains("edited_message");
        assertThat(reason(TelegramUpdateMapper.map(update("""
                {"update_id": 907, "message": {"message_id": 1, "sticker": {"file_id": "x"},
                 "from": {"id": 5}, "chat": {"id": 5, "type": "private"}}}"""), BOT, null, GroupPolicy.MENTION)))
                .contains("without text");
        assertThat(reason(TelegramUpdateMapper.map(update("""
                {"update_id": 908, "message": {"message_id": 1, "text": "beep",
                 "from": {"id": 9, "is_bot": true}, "chat": {"id": 9, "type": "private"}}}"""), BOT, null,
                GroupPolicy.MENTION))).contains("bot");
        assertThat(reason(TelegramUpdateMapper.map(update("""
                {"update_id": 909, "message": {"message_id": 1, "text": "news",
                 "from": {"id": 9}, "chat": {"id": -100, "type": "channel"}}}"""), BOT, null, GroupPolicy.ALWAYS)))
                .contains("channel");
        assertThat(reason(TelegramUpdateMapper.map(update("{\"message\": {}}"), BOT, null, GroupPolicy.ALWAYS)))
                .contains("update_id");
        assertThat(reason(TelegramUpdateMapper.map(update("""
                {"update_id": 910, "message": {"text": [1], "from": "x", "chat": 5}}"""), BOT, null,
                GroupPolicy.ALWAYS))).isNotBlank();
    }

    @Test
    void aPhotoCaptionIsTheText() throws Exception {
        Envelope e = published(TelegramUpdateMapper.map(update("""
                {"update_id": 911, "message": {"message_id": 1, "caption": "what is this?", "photo": [],
                 "from": {"id": 5, "username": "ada"}, "chat": {"id": 5, "type": "private"}}}"""), BOT, null,
                GroupPolicy.MENTION));
        assertThat(e.text()).isEqualTo("what is this?");
        assertThat(e.senderName()).isEqualTo("ada");
    }

    @Test
    void theBotIdIsTheTokensNumericPrefixAndPropertiesNeverPrintSecrets() {
        TelegramProperties properties = new TelegramProperties();
        properties.setToken("123456:ABC-secret-part");
        properties.setWebhookSecret("s3cret");
        assertThat(properties.botId()).isEqualTo("123456");
        assertThat(properties.toString()).doesNotContain("ABC-secret-part").doesNotContain("s3cret");
        properties.setToken("no-colon");
        assertThat(properties.botId()).isEqualTo("bot");
    }
}
