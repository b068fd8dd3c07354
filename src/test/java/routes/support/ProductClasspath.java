package routes.support;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The classpath a test gives the product when it starts it as a process of its own. */
public final class ProductClasspath {

    private ProductClasspath() {
    }

    /**
     * The classpath of this (test) JVM minus the test classes, so the process runs the product as packaged. Under
     * Surefire, {@code surefire.test.class.path} lists the real entries even when {@code java.class.path} is only a
     * manifest booter jar; elsewhere (an IDE) {@code java.class.path} is the list itself.
     */
    public static String withoutTestClasses() {
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
