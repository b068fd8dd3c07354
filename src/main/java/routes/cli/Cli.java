package routes.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caravan's command line: {@code onboard} and {@code doctor} run here, without Spring, Kafka, Redis or the HTTP
 * server (they start in a second and touch only the files and addresses they report on); anything else starts the
 * gateway, with a leading {@code run} dropped.
 */
public final class Cli {

    private static final Set<String> COMMANDS = Set.of("onboard", "doctor", "help", "--help", "-h");

    private Cli() {
    }

    /** Whether {@code args} name a command of the command line rather than a start of the gateway. */
    public static boolean handles(String[] args) {
        return args.length > 0 && COMMANDS.contains(args[0]);
    }

    /** The gateway's own arguments: {@code run --key=value} is {@code --key=value}. */
    public static String[] gatewayArgs(String[] args) {
        return args.length > 0 && args[0].equals("run") ? Arrays.copyOfRange(args, 1, args.length) : args;
    }

    /** Runs the command {@code args[0]} with the rest as its arguments; returns the exit code. */
    public static int run(String[] args) {
        quietLibraries();
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Path here = Path.of("").toAbsolutePath();
        PrintStream out = System.out;
        switch (args[0]) {
            case "onboard" -> {
                try (Prompts prompts = Prompts.open()) {
                    // a provider far away may take a while to list its models: more patience than the doctor's
                    return new OnboardWizard(prompts, new ConfigFiles(here),
                            new ProviderCheck(new Net(Duration.ofSeconds(15))), System::getenv).run();
                } catch (IOException e) {
                    System.err.println("caravan onboard: " + e.getMessage());
                    return 1;
                }
            }
            case "doctor" -> {
                return new Doctor(out, new Net(Net.TIMEOUT), here).run(rest);
            }
            default -> {
                out.println("""
                        Usage: caravan <command>
                          onboard            questions, then ./caravan.yaml and ./caravan-secrets.yaml
                          doctor [--k=v ...] check the configuration and what it points at (exit 1 on FAIL)
                          run [--k=v ...]    start the gateway (the default without a command)""");
                return 0;
            }
        }
    }

    /**
     * The libraries the checks use (Kafka's admin client, Lettuce, JLine) log through SLF4J and java.util.logging;
     * without Spring Boot's logging set-up they would print debug lines among the answers.
     */
    private static void quietLibraries() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.reset();
            logback.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        }
        java.util.logging.LogManager.getLogManager().reset();
    }
}
