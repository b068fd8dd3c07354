package routes.cli;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random secrets the wizard makes up: the gateway token, webhook secrets, verify tokens. */
final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** 128 random bits as 32 lower-case hex characters. */
    static String hex32() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
