package dev.strand.it.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The class path a user's server runs with: the jar and the libraries Maven's package phase lays out in
 * {@code ops/target} (what the {@code strand} script runs), not the tests' own class path. Server processes the
 * tests start use it, so a dependency missing from the shipped layout fails the tests instead of a user's first run
 * (it did once: conflict-repair was left out of ops/target/lib and `strand server` died at its first volume).
 */
public final class PackagedServer {

    private PackagedServer() {}

    public static String classPath() {
        Path target = Path.of("..", "ops", "target").toAbsolutePath().normalize();
        Path jar = target.resolve("strand-ops.jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException(jar + " or its lib/ is missing: run the integration tests through Maven's"
                    + " verify phase with the ops module (mvn verify, or -pl integration-tests -am)");
        }
        return jar + java.io.File.pathSeparator + target.resolve("lib") + java.io.File.separator + "*";
    }
}
