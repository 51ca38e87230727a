package dev.strand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strand.client.testing.RealServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code strand repair} and a conflict's exit code, end to end against a real server with two replicas. */
class RepairCliTest {

    private static RealServer server;

    record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return Json.mapper().readTree(out);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        server = RealServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private Run strand(byte[] stdin, String... args) {
        StrandCommand command = new StrandCommand().withStdio(new ByteArrayInputStream(stdin),
                new ByteArrayOutputStream());
        CommandLine commandLine = StrandCommand.commandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--server", server.address()));
        all.addAll(List.of(args));
        return new Run(commandLine.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    private Run strand(String... args) {
        return strand(new byte[0], args);
    }

    @Test
    void aConflictIsListedShownAndRepairedAndUntilThenItsFileExitsWithConflict() throws Exception {
        assertThat(strand("volume", "create", "shared", "--replicas", "2").code()).isZero();
        assertThat(strand("hello".getBytes(StandardCharsets.UTF_8), "put", "-", "/shared/f").code()).isZero();
        assertThat(strand("mkdir", "/shared/d").code()).isZero();
        server.markConflict("/shared/f");

        Run cat = strand("cat", "/shared/f");
        assertThat(cat.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(cat.err()).contains("CONFLICT").contains("UPDATE_UPDATE");
        assertThat(strand("stat", "/shared/d").code()).isZero();

        Run list = strand("repair", "list", "shared");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("/shared/f").contains("UPDATE_UPDATE").contains("[0, 1]");
        JsonNode all = strand("repair", "list", "--json").json(); // every volume
        assertThat(all).hasSize(1);
        assertThat(all.get(0).get("volume").asText()).isEqualTo("shared");
        assertThat(all.get(0).get("paths").get(0).asText()).isEqualTo("/f");

        JsonNode shown = strand("repair", "show", "--json", "/shared/f").json();
        assertThat(shown.get("replicas")).hasSize(2);
        assertThat(shown.get("replicas").get(1).get("size").asLong()).isEqualTo(5);
        assertThat(shown.get("conflicts").get(0).get("kind").asText()).isEqualTo("UPDATE_UPDATE");
        JsonNode dir = strand("repair", "show", "--json", "/shared/d").json();
        assertThat(dir.get("replicas").get(0).get("type").asText()).isEqualTo("DIRECTORY");
        assertThat(dir.get("differingEntries")).isEmpty();
        assertThat(strand("repair", "show", "/shared/f").out()).contains("VERSION VECTOR").contains("UPDATE_UPDATE");

        assertThat(strand("repair", "file", "/shared/f").code()).as("--keep is required").isEqualTo(ExitCodes.USAGE);
        Run repaired = strand("repair", "file", "/shared/f", "--keep", "0");
        assertThat(repaired.code()).isZero();
        assertThat(repaired.out()).contains("replica 0");

        assertThat(strand("cat", "/shared/f").code()).isZero();
        assertThat(strand("repair", "list", "shared").out()).contains("no conflicts");
        assertThat(strand("repair", "file", "/shared/f", "--keep", "0").code()).isEqualTo(ExitCodes.INVALID_ARGUMENT);
    }

    @Test
    void repairDirPrintsThePlanOfANameInConflictThenRepairsIt() throws Exception {
        assertThat(strand("volume", "create", "names", "--replicas", "2").code()).isZero();
        assertThat(strand("mkdir", "/names/d").code()).isZero();
        assertThat(strand("hello".getBytes(StandardCharsets.UTF_8), "put", "-", "/names/d/g").code()).isZero();
        assertThat(strand("hello".getBytes(StandardCharsets.UTF_8), "put", "-", "/names/d/fine").code()).isZero();
        server.markNameConflict("/names/d/g");
        assertThat(strand("cat", "/names/d/g").code()).isEqualTo(ExitCodes.CONFLICT);

        Run plan = strand("repair", "dir", "/names/d");
        assertThat(plan.code()).isZero();
        assertThat(plan.out()).contains("'g' (NAME_NAME)").contains("replica 0: ").contains("replica 1: ")
                .contains("FILE, 5 bytes, version").doesNotContain("'fine'");
        JsonNode json = strand("repair", "dir", "--json", "/names/d").json();
        assertThat(json.get("names")).hasSize(1);
        assertThat(json.get("names").get(0).get("name").asText()).isEqualTo("g");
        assertThat(json.get("names").get(0).get("replicas")).hasSize(2);
        assertThat(strand("cat", "/names/d/g").code()).as("the plan changes nothing").isEqualTo(ExitCodes.CONFLICT);
        assertThat(strand("repair", "dir", "/names").out()).contains("no names in conflict in /names");

        assertThat(strand("repair", "dir", "/names/d", "--keep", "g=x").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(strand("repair", "dir", "/names/d", "--keep", "g=5").code()).isEqualTo(ExitCodes.INVALID_ARGUMENT);
        Run repaired = strand("repair", "dir", "/names/d", "--keep", "g=1");
        assertThat(repaired.code()).as(repaired.err()).isZero();
        assertThat(repaired.out()).contains("repaired g in /names/d: replica 1's binding is every replica's");
        assertThat(strand("cat", "/names/d/g").code()).as("served again").isZero();
        assertThat(strand("repair", "list", "names").out()).contains("no conflicts");
        assertThat(strand("repair", "dir", "/names/d", "--keep", "g=1").code()).isEqualTo(ExitCodes.INVALID_ARGUMENT);
    }

    @Test
    void repairDirWritesAPlanTheUserEditsAndThenApplies(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        assertThat(strand("volume", "create", "plans", "--replicas", "2").code()).isZero();
        assertThat(strand("mkdir", "/plans/d").code()).isZero();
        assertThat(strand("hello".getBytes(StandardCharsets.UTF_8), "put", "-", "/plans/d/g").code()).isZero();
        server.markNameConflict("/plans/d/g");
        java.nio.file.Path plan = tmp.resolve("plan.txt");

        Run written = strand("repair", "dir", "/plans/d", "--write-plan", plan.toString());
        assertThat(written.code()).as(written.err()).isZero();
        String text = java.nio.file.Files.readString(plan);
        assertThat(text).contains("# 'g' (NAME_NAME):").contains("#   replica 0: ").contains("#   replica 1: ")
                .containsPattern("(?m)^keep g=[01]$");
        assertThat(strand("cat", "/plans/d/g").code()).as("writing the plan changes nothing")
                .isEqualTo(ExitCodes.CONFLICT);

        java.nio.file.Files.writeString(plan, "keep g=x\n");
        assertThat(strand("repair", "dir", "/plans/d", "--plan", plan.toString()).code())
                .isEqualTo(ExitCodes.INVALID_ARGUMENT);
        assertThat(strand("repair", "dir", "/plans/d", "--plan", plan.toString(), "--keep", "g=1").code())
                .isEqualTo(ExitCodes.USAGE);
        java.nio.file.Files.writeString(plan, text.replaceAll("(?m)^keep g=[01]$", "keep g=1"));
        Run applied = strand("repair", "dir", "/plans/d", "--plan", plan.toString());
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("repaired g in /plans/d: replica 1's binding is every replica's");
        assertThat(strand("cat", "/plans/d/g").code()).as("served again").isZero();
        assertThat(strand("repair", "list", "plans").out()).contains("no conflicts");
    }

    @Test
    void repairDirSettlesANameBoundToADirectoryWithEverythingInIt() throws Exception {
        assertThat(strand("volume", "create", "trees", "--replicas", "2").code()).isZero();
        assertThat(strand("mkdir", "/trees/out").code()).isZero();
        assertThat(strand("mkdir", "/trees/out/x").code()).isZero();
        assertThat(strand("hello".getBytes(StandardCharsets.UTF_8), "put", "-", "/trees/out/x/o").code()).isZero();
        server.markNameConflict("/trees/out");

        Run show = strand("repair", "show", "/trees/out");
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("DIRECTORY").contains("replica 0 entries: x -> ")
                .contains("replica 1 entries: x -> ").contains("conflict NAME_NAME")
                .contains("repair with: strand repair dir /trees --keep out=REPLICA [--rename-others]");
        Run plan = strand("repair", "dir", "/trees");
        assertThat(plan.out()).contains("'out' (NAME_NAME)").contains("DIRECTORY");

        Run repaired = strand("repair", "dir", "/trees", "--keep", "out=1");
        assertThat(repaired.code()).as(repaired.err()).isZero();
        assertThat(repaired.out()).contains("repaired out in /trees: replica 1's binding is every replica's");
        assertThat(strand("repair", "list", "trees").out()).contains("no conflicts");
        assertThat(strand("cat", "/trees/out/x/o").code()).as("served again, the directory's file too").isZero();
        assertThat(strand("stat", "--validate", "/trees/out/x/o").code()).isZero();
    }

    @Test
    void repairFileFromALocalFileStoresItsContentsOnEveryReplica(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        assertThat(strand("volume", "create", "mended", "--replicas", "2").code()).isZero();
        assertThat(strand("old".getBytes(StandardCharsets.UTF_8), "put", "-", "/mended/g").code()).isZero();
        server.markConflict("/mended/g");
        java.nio.file.Path local = tmp.resolve("new.txt");
        java.nio.file.Files.writeString(local, "new contents");

        Run repaired = strand("repair", "file", "/mended/g", "--from", local.toString(), "--json");

        assertThat(repaired.code()).isZero();
        assertThat(repaired.json().get("size").asLong()).isEqualTo(12);
        assertThat(server.contents("/mended/g")).isEqualTo("new contents".getBytes(StandardCharsets.UTF_8));
        assertThat(repaired.json().get("from").asText()).isEqualTo(local.toString());
        assertThat(strand("repair", "list", "mended").out()).contains("no conflicts");
        assertThat(strand("ls", "/mended").out()).as("the staged contents' temporary file is gone")
                .doesNotContain(".strand-put-");
    }
}
