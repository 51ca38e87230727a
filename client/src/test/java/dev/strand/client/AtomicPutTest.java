package dev.strand.client;

import dev.strand.client.testing.RealServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A put is all or nothing: a failed one leaves neither an empty file nor a half-written one behind. */
class AtomicPutTest {
    private static RealServer server;
    private BlockingStrandClient client;

    @BeforeAll
    static void startServer() throws Exception {
        server = RealServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void connect() {
        server.emptyVolume("docs");
        client = BlockingStrandClient.connect(server.settings());
    }

    @AfterEach
    void stop() {
        client.close();
    }

    /** Five bytes, then the source fails. */
    private static InputStream failingAfterFiveBytes() {
        return new SequenceInputStream(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("the local disk failed");
                    }
                });
    }

    private List<String> names(String dir) {
        List<String> names = new ArrayList<>();
        client.list(dir, true, false).forEachRemaining(e -> names.add(e.name()));
        return names;
    }

    @Test
    void aSmallPutIntoADirectoryOrThroughALinkTakesTheGeneralWayAndLandsWhereItShould(@TempDir Path dir)
            throws IOException {
        Path local = dir.resolve("local.txt");
        Files.writeString(local, "small");
        client.mkdir("/docs/sub");
        client.put(local, "/docs/sub", null); // a directory: the file goes in under the local name

        assertThat(new String(server.contents("/docs/sub/local.txt"), StandardCharsets.UTF_8)).isEqualTo("small");
        client.symlink("sub/local.txt", "/docs/link");
        Files.writeString(local, "through the link");
        client.put(local, "/docs/link", null);

        assertThat(new String(server.contents("/docs/sub/local.txt"), StandardCharsets.UTF_8))
                .isEqualTo("through the link");
        assertThat(names("/docs")).containsExactly("link", "sub");
        assertThat(names("/docs/sub")).containsExactly("local.txt");
    }

    @Test
    void aFailedPutOfANewFileLeavesNothingBehind() {
        assertThatThrownBy(() -> client.write("/docs/new", 10, Channels.newChannel(failingAfterFiveBytes()), null))
                .hasMessageContaining("the local disk failed");

        assertThat(server.exists("/docs/new")).as("no empty file").isFalse();
        assertThat(names("/docs")).as("no temporary file either").isEmpty();
    }

    @Test
    void aFailedPutOverAnExistingFileLeavesItsContents(@TempDir Path dir) throws IOException {
        Path local = dir.resolve("f");
        Files.writeString(local, "the old contents");
        client.put(local, "/docs/f", null);

        assertThatThrownBy(() -> client.write("/docs/f", 10, Channels.newChannel(failingAfterFiveBytes()), null))
                .hasMessageContaining("the local disk failed");

        assertThat(new String(server.contents("/docs/f"), StandardCharsets.UTF_8)).isEqualTo("the old contents");
        assertThat(names("/docs")).containsExactly("f");
    }

    @Test
    void aPutOverAnExistingFileReplacesItsContentsInPlace(@TempDir Path dir) throws IOException {
        Path local = dir.resolve("f");
        Files.writeString(local, "first");
        client.put(local, "/docs/f", null);
        client.chmod("/docs/f", 0600);
        Files.writeString(local, "second version");

        var before = client.stat("/docs/f");

        client.put(local, "/docs/f", null);

        assertThat(new String(server.contents("/docs/f"), StandardCharsets.UTF_8)).isEqualTo("second version");
        assertThat(client.stat("/docs/f").fid()).as("the same file").isEqualTo(before.fid());
        assertThat(client.stat("/docs/f").mode() & 0777).isEqualTo(0600);
        assertThat(names("/docs")).containsExactly("f");
    }

    @Test
    void aPutThroughASymbolicLinkReplacesTheFileItNames(@TempDir Path dir) throws IOException {
        client.mkdir("/docs/d");
        client.write("/docs/d/real", 3, Channels.newChannel(new ByteArrayInputStream("old".getBytes())), null);
        client.symlink("d/real", "/docs/link");
        Path local = dir.resolve("x");
        Files.writeString(local, "new");

        client.put(local, "/docs/link", null);

        assertThat(new String(server.contents("/docs/d/real"), StandardCharsets.UTF_8)).isEqualTo("new");
        assertThat(client.readLink("/docs/link")).isEqualTo("d/real");
        assertThat(names("/docs/d")).containsExactly("real");
    }
}
