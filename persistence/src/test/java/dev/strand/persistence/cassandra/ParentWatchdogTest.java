package dev.strand.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** With real processes: a launcher that is SIGKILLed takes its watched child with it. */
class ParentWatchdogTest {

    /** Stands in for Cassandra's daemon: runs until its JVM exits. */
    public static final class Forever {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void theWatchedProcessExitsWhenItsParentIsKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The shell stands in for the server: it starts the watched JVM, prints its PID and waits.
        String script = "\"$0\" -Xmx32m -cp \"$1\" " + ParentWatchdog.class.getName() + " $$ \"$2\" & echo $!; wait";
        Process launcher = new ProcessBuilder("sh", "-c", script, java, System.getProperty("java.class.path"),
                Forever.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long child;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8))) {
            child = Long.parseLong(out.readLine().trim());
        }
        try {
            assertThat(ProcessIdentity.awaitExit(child, Duration.ofSeconds(2)))
                    .as("runs while its parent lives").isFalse();

            launcher.destroyForcibly();
            launcher.waitFor();

            assertThat(ProcessIdentity.awaitExit(child, Duration.ofSeconds(20)))
                    .as("exits once its parent is gone").isTrue();
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
