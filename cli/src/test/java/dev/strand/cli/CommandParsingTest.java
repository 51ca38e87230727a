package dev.strand.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/** How each command line is understood, without a server. */
public class CommandParsingTest {

    public static <T> T parse(Class<T> type, String... args) {
        CommandLine.ParseResult result = StrandCommand.commandLine().parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }

    private static StrandCommand root(String... args) {
        return (StrandCommand) StrandCommand.commandLine().parseArgs(args).commandSpec().userObject();
    }

    @Test
    void volumeCreateTakesANameAndReplicas() {
        VolumeCreateCommand c = parse(VolumeCreateCommand.class, "volume", "create", "docs", "--replicas", "3");
        assertThat(c.name).isEqualTo("docs");
        assertThat(c.replicas).isEqualTo(3);
        assertThat(parse(VolumeCreateCommand.class, "volume", "create", "docs").replicas).isEqualTo(1);
    }

    @Test
    void volumeListAndInfoTakeJson() {
        assertThat(parse(VolumeListCommand.class, "volume", "list", "--json").json).isTrue();
        VolumeInfoCommand info = parse(VolumeInfoCommand.class, "volume", "info", "docs", "--json");
        assertThat(info.name).isEqualTo("docs");
        assertThat(info.json).isTrue();
    }

    @Test
    void repairCheckTakesAVolumeAndJson() {
        RepairCheckCommand check = parse(RepairCheckCommand.class, "repair", "check", "docs", "--json");
        assertThat(check.volume).isEqualTo("docs");
        assertThat(check.json).isTrue();
    }

    @Test
    void lsTakesLongFormatJsonAndAnOptionalPath() {
        LsCommand ls = parse(LsCommand.class, "ls", "-l", "/docs/a");
        assertThat(ls.longFormat).isTrue();
        assertThat(ls.path).isEqualTo("/docs/a");
        assertThat(parse(LsCommand.class, "ls").path).isEqualTo("/");
        assertThat(parse(LsCommand.class, "ls", "--json", "/").json).isTrue();
    }

    @Test
    void statTakesPathsDereferenceAndJson() {
        StatCommand stat = parse(StatCommand.class, "stat", "-L", "--json", "/a/b", "/a/c");
        assertThat(stat.follow).isTrue();
        assertThat(stat.json).isTrue();
        assertThat(stat.paths).containsExactly("/a/b", "/a/c");
    }

    @Test
    void mkdirTakesParentsModeAndPaths() {
        MkdirCommand mkdir = parse(MkdirCommand.class, "mkdir", "-p", "-m", "700", "/a/b", "/a/c");
        assertThat(mkdir.parents).isTrue();
        assertThat(mkdir.mode).isEqualTo(0700);
        assertThat(mkdir.paths).containsExactly("/a/b", "/a/c");
    }

    @Test
    void putGetCatAndMvTakeTheirOperandsInOrder() {
        PutCommand put = parse(PutCommand.class, "put", "local.bin", "/docs/f");
        assertThat(List.of(put.local, put.remote)).containsExactly("local.bin", "/docs/f");
        GetCommand get = parse(GetCommand.class, "get", "/docs/f", "copy.bin");
        assertThat(List.of(get.remote, get.local)).containsExactly("/docs/f", "copy.bin");
        assertThat(parse(CatCommand.class, "cat", "/docs/f", "/docs/g").paths).containsExactly("/docs/f", "/docs/g");
        MvCommand mv = parse(MvCommand.class, "mv", "/docs/a", "/docs/b");
        assertThat(List.of(mv.source, mv.target)).containsExactly("/docs/a", "/docs/b");
    }

    @Test
    void rmTakesRecursiveForceAndPaths() {
        RmCommand rm = parse(RmCommand.class, "rm", "-r", "-f", "/docs/a", "/docs/b");
        assertThat(rm.recursive).isTrue();
        assertThat(rm.force).isTrue();
        assertThat(rm.paths).containsExactly("/docs/a", "/docs/b");
    }

    @Test
    void lnTakesSymbolicTargetAndLinkPath() {
        LnCommand ln = parse(LnCommand.class, "ln", "-s", "../x", "/docs/link");
        assertThat(ln.symbolic).isTrue();
        assertThat(List.of(ln.target, ln.linkPath)).containsExactly("../x", "/docs/link");
    }

    @Test
    void chmodReadsAnOctalMode() {
        ChmodCommand chmod = parse(ChmodCommand.class, "chmod", "0755", "/docs/f");
        assertThat(chmod.mode).isEqualTo(0755);
        assertThat(chmod.paths).containsExactly("/docs/f");
    }

    @Test
    void truncateReadsASizeWithSuffix() {
        TruncateCommand truncate = parse(TruncateCommand.class, "truncate", "-s", "10m", "/docs/f");
        assertThat(truncate.size).isEqualTo(10L << 20);
    }

    @Test
    void serverAndClusterAreAcceptedBeforeOrAfterTheCommand() {
        assertThat(root("--server", "h:1", "ls").server).isEqualTo("h:1");
        assertThat(root("ls", "--server", "h:2", "/").server).isEqualTo("h:2");
        assertThat(root("stat", "--cluster", "blue", "/x").cluster).isEqualTo("blue");
        assertThat(root("ls", "--no-progress").noProgress).isTrue();
    }

    @Test
    void theServerDefaultsToTheLocalDefaultPort() {
        String fromEnv = System.getenv("STRAND_SERVER");
        assertThat(root("ls").server).isEqualTo(fromEnv == null ? "127.0.0.1:7411" : fromEnv);
    }

    @Test
    void badCommandLinesExitWithTheUsageCode() {
        assertThat(run("mkdir")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("chmod", "9x9", "/docs/f")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("truncate", "-s", "lots", "/docs/f")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("frobnicate")).isEqualTo(ExitCodes.USAGE);
        assertThat(run()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("volume")).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aCommandAddedLaterInheritsTheGlobalOptions() {
        CommandLine commandLine = StrandCommand.commandLine();
        commandLine.addSubcommand("server", new ServerLike());
        StrandCommand.applyExitCodeHelp(commandLine);

        StrandCommand root = (StrandCommand) commandLine.parseArgs("server", "--server", "h:3").commandSpec().userObject();

        assertThat(root.server).isEqualTo("h:3");
        assertThat(commandLine.getSubcommands().get("server").getUsageMessage()).contains("Exit codes:");
    }

    @Command(name = "server", description = "stands in for the ops module's server command")
    static final class ServerLike implements Callable<Integer> {
        @Override
        public Integer call() {
            return 0;
        }
    }

    private static int run(String... args) {
        CommandLine commandLine = StrandCommand.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter()));
        commandLine.setErr(new PrintWriter(new StringWriter()));
        return commandLine.execute(args);
    }
}
