package routes.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * {@code caravan doctor}: reads the configuration as the gateway would (defaults, {@code ./caravan.yaml}, its secrets
 * file, the environment, {@code --key=value} arguments), checks it, then checks what it points at. One line per
 * check, OK, WARN or FAIL with what to do; the exit code is 1 when any check failed.
 */
final class Doctor {

    private final PrintStream out;
    private final Net net;
    private final Path workingDirectory;

    Doctor(PrintStream out, Net net, Path workingDirectory) {
        this.out = out;
        this.net = net;
        this.workingDirectory = workingDirectory;
    }

    /** Runs every check; returns the exit code. */
    int run(String... args) {
        out.println("Caravan doctor: the configuration as the gateway reads it, and what it points at.");
        ConfigurableEnvironment environment;
        try {
            environment = CaravanConfig.load(args);
        } catch (RuntimeException e) {
            return report(List.of(Check.fail("config", "cannot read " + brokenFile() + ": " + oneLine(e),
                    "correct it")));
        }
        List<Check> checks = new ArrayList<>();
        ConfigurationChecks config = new ConfigurationChecks(environment, workingDirectory);
        checks.addAll(config.files());
        checks.addAll(SettingsCheck.check(environment, SettingsCatalog.load()));
        checks.addAll(config.http());
        checks.addAll(config.models());
        checks.addAll(config.channels());
        checks.forEach(this::print);

        List<Supplier<Check>> remote = new Reachability(config, net).checks();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, remote.size())), r -> {
            Thread thread = new Thread(r, "caravan-doctor");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Check>> running = remote.stream()
                    .map(check -> CompletableFuture.supplyAsync(() -> safely(check), pool)).toList();
            for (CompletableFuture<Check> check : running) {
                Check done = check.join();
                print(done);
                checks.add(done);
            }
        } finally {
            pool.shutdownNow();
        }
        return summary(checks);
    }

    /** Which of the files next to the process does not parse (YAML errors name no file). */
    private String brokenFile() {
        for (String name : List.of(ConfigFiles.SETTINGS, ConfigFiles.SECRETS)) {
            Path file = workingDirectory.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    new YamlPropertySourceLoader().load(name, new FileSystemResource(file));
                } catch (IOException | RuntimeException e) {
                    return file.toString();
                }
            }
        }
        return "the configuration";
    }

    private static Check safely(Supplier<Check> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            return Check.fail("check", "could not run: " + oneLine(e), null);
        }
    }

    private int report(List<Check> checks) {
        checks.forEach(this::print);
        return summary(checks);
    }

    private void print(Check check) {
        out.println(check.line());
        out.flush();
    }

    private int summary(List<Check> checks) {
        long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        long warned = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
        out.println();
        if (failed > 0) {
            out.println(failed + " FAIL, " + warned + " WARN: fix the FAIL lines before starting Caravan.");
        } else if (warned > 0) {
            out.println("No FAIL, " + warned + " WARN: Caravan can start; the WARN lines say what will not work.");
        } else {
            out.println("All checks OK: start Caravan with ./caravan run");
        }
        out.flush();
        return failed > 0 ? 1 : 0;
    }

    private static String oneLine(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !text.toString().contains(t.getMessage())) {
                text.append(text.length() == 0 ? "" : ": ").append(t.getMessage());
            }
        }
        return text.length() == 0 ? e.getClass().getSimpleName() : text.toString().replaceAll("\\s+", " ");
    }
}
