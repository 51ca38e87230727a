package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The {@code strand} command. {@link #commandLine()} builds it with every client command; the server module
 * adds {@code server} to it. The options here are inherited: every subcommand accepts them.
 */
@Command(name = "strand",
        mixinStandardHelpOptions = true,
        versionProvider = StrandCommand.Version.class,
        description = "Strand, a replicated file server: client commands. Paths are /<volume>/<path>; / lists the volumes.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
                VolumeCommand.class,
                RepairCommand.class,
                LsCommand.class,
                StatCommand.class,
                MkdirCommand.class,
                PutCommand.class,
                GetCommand.class,
                CatCommand.class,
                MvCommand.class,
                RmCommand.class,
                LnCommand.class,
                ChmodCommand.class,
                TruncateCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class StrandCommand implements Runnable {

    /** Transfers of at least this many bytes show a progress bar (on a terminal). */
    public static final long PROGRESS_THRESHOLD = 16L << 20;

    @Option(names = "--server", paramLabel = "HOST:PORT[,HOST:PORT...]", scope = ScopeType.INHERIT,
            defaultValue = "${env:STRAND_SERVER:-127.0.0.1:7411}",
            description = "Servers to talk to, tried in order; a lost connection moves on to the next "
                    + "(default: $STRAND_SERVER, else 127.0.0.1:7411; now ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--cluster", paramLabel = "ID", scope = ScopeType.INHERIT,
            defaultValue = "${env:STRAND_CLUSTER:-strand}",
            description = "Cluster id the server must belong to (default: $STRAND_CLUSTER, else strand).")
    String cluster;

    @Option(names = "--no-progress", scope = ScopeType.INHERIT,
            description = "Never show a progress bar (shown for transfers of 16 MiB or more on a terminal).")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    private InputStream stdin = System.in;
    /** The process's standard output itself, not System.out: a PrintStream would hide a broken pipe. */
    private OutputStream stdout = new FileOutputStream(FileDescriptor.out);

    /** The whole {@code strand} command line, with exit codes, error handling and help configured. */
    public static CommandLine commandLine() {
        return commandLine(new StrandCommand());
    }

    static CommandLine commandLine(StrandCommand command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        applyExitCodeHelp(commandLine);
        return commandLine;
    }

    /** Puts the "Exit codes" section into the help of the command and of all its subcommands. */
    public static void applyExitCodeHelp(CommandLine commandLine) {
        commandLine.getCommandSpec().usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(ExitCodes.descriptions());
        commandLine.getSubcommands().values().forEach(StrandCommand::applyExitCodeHelp);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: see 'strand --help'");
    }

    /** Connects to the server the options name. */
    public BlockingStrandClient connect() {
        return BlockingStrandClient.connect(clientSettings());
    }

    /** How the options say to connect (a fresh client id each call). */
    public ClientSettings clientSettings() {
        return ClientSettings.of(ServerAddress.parseList(server))
                .withClusterId(cluster)
                .withClientName("strand-cli " + Version.version());
    }

    /** The first of the servers the options name. */
    public ServerAddress serverAddress() {
        return ServerAddress.parseList(server).get(0);
    }

    public String clusterId() {
        return cluster;
    }

    public boolean progressAllowed() {
        return !noProgress;
    }

    /** Where {@code cat} and {@code get ... -} write bytes; standard output unless a test says otherwise. */
    public OutputStream stdout() {
        return stdout;
    }

    /** Where {@code put - ...} reads bytes. */
    public InputStream stdin() {
        return stdin;
    }

    /** Redirects the binary streams (for tests). */
    public StrandCommand withStdio(InputStream in, OutputStream out) {
        this.stdin = in;
        this.stdout = out;
        return this;
    }

    /** Whether a person is watching: standard input and output are a terminal. */
    public static boolean interactive() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** Reports failures thrown out of a command: {@code strand: <message> (<STATUS>)} and its exit code. */
    static final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            commandLine.getErr().println(Failures.describe(null, e));
            commandLine.getErr().flush();
            return ExitCodes.of(e);
        }
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        static String version() {
            String v = StrandCommand.class.getPackage().getImplementationVersion();
            return v == null ? "0.1.0-SNAPSHOT" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[]{"strand " + version(), "protocol " + dev.strand.protocol.ProtocolLimits.PROTOCOL_VERSION};
        }
    }
}
