package routes.channel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupPolicyTest {

    @Test
    void directChatsAreAlwaysAnswered() {
        for (GroupPolicy policy : GroupPolicy.values()) {
            assertThat(policy.answers(false, false)).isTrue();
        }
    }

    @Test
    void groupsFollowThePolicy() {
        assertThat(GroupPolicy.MENTION.answers(true, true)).isTrue();
        assertThat(GroupPolicy.MENTION.answers(true, false)).isFalse();
        assertThat(GroupPolicy.ALWAYS.answers(true, false)).isTrue();
        assertThat(GroupPolicy.NEVER.answers(true, true)).isFalse();
    }
}
