package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/** Roles by configuration and by web sign-in, with admin ⊇ dev ⊇ user. */
class RolesTest {

    private static Envelope message(String channel, String sender, String signedInRole) {
        return Envelope.builder().channel(channel).chatId("c").chatType(ChatType.DIRECT).senderId(sender).text("hi")
                .meta(WebIdentity.META_ROLE, signedInRole).build();
    }

    private static Roles roles() {
        Roles roles = new Roles();
        roles.setRoles(Map.of("admin", List.of("telegram:1"), "dev", List.of("slack:U*"),
                "operators", List.of("rest:ops")));
        return roles;
    }

    @Test
    void aConfiguredAdminHoldsTheLowerRolesToo() {
        assertThat(roles().holds("admin", "telegram", "1")).isTrue();
        assertThat(roles().holds("dev", "telegram", "1")).isTrue();
        assertThat(roles().holds("user", "telegram", "1")).isTrue();
        assertThat(roles().holds("admin", "slack", "U42")).isFalse();
        assertThat(roles().holds("dev", "slack", "U42")).isTrue();
        assertThat(roles().holds("operators", "telegram", "1")).as("a plain group is not implied").isFalse();
    }

    @Test
    void aWebSignInGrantsItsRoleAndTheOnesBelow() {
        assertThat(roles().holds("dev", message("rest", "root", "admin"))).isTrue();
        assertThat(roles().holds("admin", message("rest", "alice", "user"))).isFalse();
        assertThat(roles().holds("admin", message("telegram", "2", null))).isFalse();
        assertThat(roles().holds("operators", message("rest", "ops", null))).isTrue();
    }
}
