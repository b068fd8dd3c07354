package routes.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        command.add(routes.support.ProductClasspath.withoutTestClasses());
        command.add("routes.CaravanApplication");
        command.addAll(Arrays.asList(args));
        return command;
    }
}
