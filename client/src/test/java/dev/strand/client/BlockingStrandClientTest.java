package dev.strand.client;

import dev.strand.client.testing.RealServer;
import dev.strand.protocol.error.CrossVolumeException;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NoSuchVolumeException;
import dev.strand.protocol.error.NotEmptyException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.FileType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The path operations against a real server. */
class BlockingStrandClientTest {
    private static RealServer server;
    private BlockingStrandClient client;

    @TempDir
    Path tmp;

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

    @Test
    void failuresAreThrownAsTheExceptionOfTheirStatus() {
        assertThatThrownBy(() -> client.stat("/docs/missing")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.stat("/nope/x")).isInstanceOf(NoSuchVolumeException.class);
    }

    @Test
    void putThenGetRoundTripsAFileOfSeveralChunks(@TempDir Path dir) throws IOException {
        byte[] content = new byte[3 * StrandConnection.DATA_CHUNK_SIZE + 17];
        new Random(1).nextBytes(content);
        Path local = dir.resolve("in.bin");
        Files.write(local, content);

        Attr stored = client.put(local, "/docs/file.bin", null);
        client.get("/docs/file.bin", dir.resolve("out.bin"), null);

        assertThat(stored.size()).isEqualTo(content.length);
        assertThat(server.contents("/docs/file.bin")).isEqualTo(content);
        assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(content);
    }

    @Test
    void putReplacesAnExistingFile(@TempDir Path dir) throws IOException {
        Path local = dir.resolve("f");
        Files.writeString(local, "first version");
        client.put(local, "/docs/f", null);
        Files.writeString(local, "second");

        client.put(local, "/docs/f", null);

        assertThat(new String(server.contents("/docs/f"), StandardCharsets.UTF_8)).isEqualTo("second");
    }

    @Test
    void putIntoADirectoryKeepsTheLocalName(@TempDir Path dir) throws IOException {
        Path local = dir.resolve("notes.txt");
        Files.writeString(local, "hi");
        client.mkdir("/docs/d");

        client.put(local, "/docs/d", null);

        assertThat(server.contents("/docs/d/notes.txt")).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void putOfAMissingLocalFileIsALocalError() {
        assertThatThrownBy(() -> client.put(tmp.resolve("absent"), "/docs/x", null))
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void catFollowsSymlinksWhileStatShowsTheLinkItself() {
        client.write("/docs/real", 5, Channels.newChannel(new java.io.ByteArrayInputStream("hello".getBytes())), null);
        client.symlink("real", "/docs/link");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        client.cat("/docs/link", out, null);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(client.stat("/docs/link").type()).isEqualTo(FileType.SYMLINK);
        assertThat(client.stat("/docs/link", true).type()).isEqualTo(FileType.FILE);
        assertThat(client.readLink("/docs/link")).isEqualTo("real");
    }

    @Test
    void symlinksInTheMiddleOfAPathAreFollowedWithDotDotFromTheLinksDirectory() {
        client.mkdirs("/docs/a/b");
        client.mkdirs("/docs/c");
        client.createFile("/docs/c/target", 0644, true);
        client.symlink("../c", "/docs/a/up");

        assertThat(client.stat("/docs/a/up/target").type()).isEqualTo(FileType.FILE);
    }

    @Test
    void aSymlinkLoopIsTooManyLevelsOfSymbolicLinks() {
        client.symlink("two", "/docs/one");
        client.symlink("one", "/docs/two");

        assertThatThrownBy(() -> client.stat("/docs/one", true))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("too many levels of symbolic links");
    }

    @Test
    void listingALargeDirectoryReadsEveryPage() {
        client.mkdir("/docs/big");
        int files = 2 * DirectoryListing.PAGE_SIZE + 5;
        List<CompletableFuture<Attr>> creates = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            creates.add(client.async().createFile(String.format("/docs/big/f%05d", i), 0644, true));
        }
        creates.forEach(CompletableFuture::join);

        List<String> names = new ArrayList<>();
        client.list("/docs/big", true, true).forEachRemaining(e -> names.add(e.name()));

        assertThat(names).hasSize(files).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void listingAFileYieldsTheFileItself() {
        client.createFile("/docs/f", 0644, true);

        Iterator<DirEntry> entries = client.list("/docs/f", true, true);

        assertThat(entries.next().name()).isEqualTo("f");
        assertThat(entries.hasNext()).isFalse();
    }

    @Test
    void listingTheTopShowsTheVolumes() {
        server.emptyVolume("more");
        List<String> names = new ArrayList<>();
        client.list("/", true, true).forEachRemaining(e -> names.add(e.name()));

        // the server is shared by this class's tests: other tests' volumes may be there too
        assertThat(names).contains("docs", "more").isSorted().doesNotHaveDuplicates();
    }

    @Test
    void mkdirsCreatesMissingParentsAndAcceptsAnExistingDirectory() {
        client.mkdirs("/docs/x/y/z");
        client.mkdirs("/docs/x/y/z");

        assertThat(client.stat("/docs/x/y/z").type()).isEqualTo(FileType.DIRECTORY);
    }

    @Test
    void mkdirsOverAFileFailsWithExists() {
        client.createFile("/docs/f", 0644, true);

        assertThatThrownBy(() -> client.mkdirs("/docs/f/g")).isInstanceOf(dev.strand.protocol.StrandException.class);
        assertThatThrownBy(() -> client.mkdirs("/docs/f")).isInstanceOf(ExistsException.class);
    }

    @Test
    void mvIntoAnExistingDirectoryKeepsTheName() {
        client.createFile("/docs/f", 0644, true);
        client.mkdir("/docs/d");

        client.mv("/docs/f", "/docs/d");

        assertThat(server.exists("/docs/d/f")).isTrue();
        assertThat(server.exists("/docs/f")).isFalse();
    }

    @Test
    void mvToANewNameRenames() {
        client.createFile("/docs/f", 0644, true);

        client.mv("/docs/f", "/docs/g");

        assertThat(server.exists("/docs/g")).isTrue();
        assertThat(server.exists("/docs/f")).isFalse();
    }

    @Test
    void mvAcrossVolumesIsRefused() {
        server.emptyVolume("other");
        client.createFile("/docs/f", 0644, true);

        assertThatThrownBy(() -> client.mv("/docs/f", "/other/f")).isInstanceOf(CrossVolumeException.class);
    }

    @Test
    void rmRefusesADirectoryAndRmdirANonEmptyOne() {
        client.mkdirs("/docs/d/e");

        assertThatThrownBy(() -> client.rm("/docs/d")).isInstanceOf(IsADirectoryException.class);
        assertThatThrownBy(() -> client.rmdir("/docs/d")).isInstanceOf(NotEmptyException.class);
    }

    @Test
    void rmRecursiveRemovesAWholeTreeButNotWhatALinkPointsTo() {
        client.mkdirs("/docs/keep");
        client.createFile("/docs/keep/precious", 0644, true);
        client.mkdirs("/docs/tree/a/b");
        for (int i = 0; i < 30; i++) {
            client.createFile("/docs/tree/a/f" + i, 0644, true);
        }
        client.symlink("/docs/keep", "/docs/tree/a/b/link");

        client.rmRecursive("/docs/tree");

        assertThat(server.exists("/docs/tree")).isFalse();
        assertThat(server.exists("/docs/keep/precious")).isTrue();
    }

    @Test
    void aVolumeRootCannotBeRemoved() {
        assertThatThrownBy(() -> client.rmRecursive("/docs")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aHardLinkIsASecondNameForTheSameFile() {
        Attr original = client.createFile("/docs/f", 0644, true);

        Attr linked = client.link("/docs/f", "/docs/g");

        assertThat(linked.fid()).isEqualTo(original.fid());
        assertThat(linked.linkCount()).isEqualTo(2);
    }

    @Test
    void chmodSetsThePermissionBits() {
        client.createFile("/docs/f", 0644, true);

        assertThat(client.chmod("/docs/f", 0600).mode()).isEqualTo(0600);
    }

    @Test
    void truncateCreatesAMissingFileWithTheSize() {
        assertThat(client.truncate("/docs/new", 1000).size()).isEqualTo(1000);
        assertThat(client.truncate("/docs/new", 10).size()).isEqualTo(10);
    }
}
