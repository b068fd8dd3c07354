package routes.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The wizard's questions on the terminal, through JLine: line editing on a terminal, secrets read without echo,
 * and plain line reading when input comes from a pipe (a dumb terminal). A line is taken as typed: no history,
 * no {@code !} expansion, quotes and backslashes are ordinary characters (secrets may hold any of them).
 */
final class Prompts implements AutoCloseable {

    /** Ctrl-C or the end of the input: the wizard stops without writing anything. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private final Terminal terminal;
    private final LineReader reader;
    private final PrintWriter out;

    private Prompts(Terminal terminal) {
        this.terminal = terminal;
        DefaultParser parser = new DefaultParser();
        parser.setEofOnUnclosedQuote(false);
        parser.setEofOnEscapedNewLine(false);
        this.reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .parser(parser)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .variable(LineReader.DISABLE_HISTORY, true)
                .build();
        this.out = terminal.writer();
    }

    /** Prompts on the process's terminal, or on plain standard input and output when there is none. */
    static Prompts open() throws IOException {
        return new Prompts(TerminalBuilder.builder().name("caravan").system(true).dumb(true).build());
    }

    /** Prints one line. */
    void say(String line) {
        out.println(line);
        out.flush();
    }

    /** Asks for a line; an empty answer takes {@code defaultValue} (shown in brackets unless empty). */
    String ask(String question, String defaultValue) {
        String shown = defaultValue == null || defaultValue.isEmpty() ? "" : " [" + defaultValue + "]";
        String answer = read(question + shown + ": ", null).trim();
        return answer.isEmpty() && defaultValue != null ? defaultValue : answer;
    }

    /**
     * Asks until {@code problem} finds nothing wrong with the answer.
     *
     * @param problem what is wrong with an answer, or {@code null} when it is fine
     */
    String ask(String question, String defaultValue, Function<String, String> problem) {
        while (true) {
            String answer = ask(question, defaultValue);
            String wrong = problem.apply(answer);
            if (wrong == null) {
                return answer;
            }
            say("  " + wrong);
        }
    }

    /**
     * Asks for a secret: on a terminal nothing of it is shown while it is typed. Input from a pipe is not echoed
     * anyway, and there JLine's masking (a thread redrawing the prompt) would only garble the output, so it is
     * read plainly. Surrounding spaces are dropped.
     */
    String secret(String question) {
        boolean dumb = terminal.getType() == null || terminal.getType().startsWith(Terminal.TYPE_DUMB);
        return read(question + " (hidden): ", dumb ? null : LineReaderImpl.NULL_MASK).trim();
    }

    /** Asks for a secret until {@code problem} finds nothing wrong with it. */
    String secret(String question, Function<String, String> problem) {
        while (true) {
            String answer = secret(question);
            String wrong = problem.apply(answer);
            if (wrong == null) {
                return answer;
            }
            say("  " + wrong);
        }
    }

    /** A yes/no question; an empty answer takes {@code yes}. */
    boolean confirm(String question, boolean yes) {
        while (true) {
            String answer = read(question + (yes ? " [Y/n]: " : " [y/N]: "), null).trim().toLowerCase(Locale.ROOT);
            if (answer.isEmpty()) {
                return yes;
            }
            if (answer.equals("y") || answer.equals("yes")) {
                return true;
            }
            if (answer.equals("n") || answer.equals("no")) {
                return false;
            }
            say("  Please answer y or n.");
        }
    }

    /** A numbered choice; returns the index of the chosen option. */
    int choose(String question, List<String> options, int defaultIndex) {
        for (int i = 0; i < options.size(); i++) {
            say("  " + (i + 1) + ") " + options.get(i));
        }
        String answer = ask(question, String.valueOf(defaultIndex + 1), a -> {
            try {
                int n = Integer.parseInt(a);
                return n >= 1 && n <= options.size() ? null : "Please answer 1 to " + options.size() + ".";
            } catch (NumberFormatException e) {
                return "Please answer 1 to " + options.size() + ".";
            }
        });
        return Integer.parseInt(answer) - 1;
    }

    private String read(String prompt, Character mask) {
        try {
            return reader.readLine(prompt, mask);
        } catch (UserInterruptException | EndOfFileException e) {
            throw new Cancelled();
        }
    }

    @Override
    public void close() throws IOException {
        out.flush();
        terminal.close();
    }
}
