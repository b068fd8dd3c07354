package routes.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** How the tests start the command line as its own process: {@code java -cp <main classpath> routes.CaravanApplication}. */
final class CliProcess {

    private CliProcess() {
    }

    /** {@code java … routes.CaravanApplication <args>} with the application's classpath (no test classes). */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // what ./caravan passes for the short-lived commands: a quick start on a shared machine
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xmx256m", "-Dfile.encoding=UTF-8"));
        command.add("-cp");
        command.add(classpath());
        command.add("routes.CaravanApplication");
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** The test run's classpath without the test classes, so the process sees only the application's resources. */
    static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.isBlank())
                .filter(e -> !Path.of(e).endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
