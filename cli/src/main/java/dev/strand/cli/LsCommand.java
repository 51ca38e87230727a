package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.DirectoryListing;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code strand ls [-l] [--json] [PATH]}. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List a directory in name order (a file lists as itself; / lists the volumes).")
public final class LsCommand extends ClientCommand {
    @Option(names = "-l", description = "Long format: mode, links, owner, size, modification time, name (-> target).")
    boolean longFormat;

    @Option(names = "--json", description = "Print a JSON array of entries with their attributes.")
    boolean json;

    @Parameters(paramLabel = "PATH", arity = "0..1", defaultValue = "/",
            description = "What to list (default: /, the volumes). A symbolic link to a directory is followed "
                    + "unless -l or --json is given; a trailing '/' always follows.")
    String path;

    @Override
    protected int run(BlockingStrandClient client) {
        boolean withAttrs = longFormat || json;
        return onPath(path, () -> {
            DirectoryListing listing = client.listing(path, !withAttrs, withAttrs);
            boolean isDirectory = listing.attr().type() == FileType.DIRECTORY;
            if (json) {
                try (Json.ArrayWriter array = Json.array(out())) {
                    forEachPage(client, listing, (entry, target) -> array.write(EntryView.of(
                            childPath(listing, entry, isDirectory), entry.name(), entry.attr(), target)));
                }
                return;
            }
            forEachPage(client, listing, (entry, target) -> out().println(entry.name()));
        });
    }

    /** Reads page after page; in long format prints each page aligned on its own. */
    private void forEachPage(BlockingStrandClient client, DirectoryListing listing, EntryPrinter printer) {
        while (listing.hasMore()) {
            List<DirEntry> page = BlockingStrandClient.await(listing.nextPage());
            Map<String, String> targets = (longFormat || json) ? linkTargets(client, page) : Map.of();
            if (longFormat && !json) {
                printLong(page, targets);
            } else {
                for (DirEntry entry : page) {
                    printer.print(entry, targets.get(entry.name()));
                }
            }
        }
    }

    private void printLong(List<DirEntry> page, Map<String, String> targets) {
        int links = 1;
        int owner = 1;
        int size = 1;
        for (DirEntry e : page) {
            Attr a = e.attr();
            if (a == null) { // the serving replica holds no version of it (an entry in conflict): name only
                continue;
            }
            links = Math.max(links, Integer.toString(a.linkCount()).length());
            owner = Math.max(owner, ownerOf(a).length());
            size = Math.max(size, Long.toString(a.size()).length());
        }
        String format = "%s %" + links + "d %-" + owner + "s %" + size + "d %s %s%s%n";
        for (DirEntry e : page) {
            Attr a = e.attr();
            String target = targets.get(e.name());
            if (a == null) {
                out().printf("?????????? %s%n", e.name());
                continue;
            }
            out().printf(format, Formats.modeString(a.type(), a.mode()), a.linkCount(), ownerOf(a), a.size(),
                    Formats.listTime(a.mtimeMillis()), e.name(), target == null ? "" : " -> " + target);
        }
    }

    /** The targets of the page's symbolic links, read all at once. */
    private static Map<String, String> linkTargets(BlockingStrandClient client, List<DirEntry> page) {
        Map<String, CompletableFuture<ReadLinkReply>> pending = new HashMap<>();
        for (DirEntry e : page) {
            if (e.type() == FileType.SYMLINK && e.fid() != null) {
                pending.put(e.name(), client.async().connection().call(new ReadLink(e.fid())));
            }
        }
        Map<String, String> targets = new HashMap<>();
        List<String> names = new ArrayList<>(pending.keySet());
        for (String name : names) {
            try {
                targets.put(name, BlockingStrandClient.await(pending.get(name)).target());
            } catch (RuntimeException e) {
                targets.put(name, "?"); // removed meanwhile: list it without its target
            }
        }
        return targets;
    }

    private static String childPath(DirectoryListing listing, DirEntry entry, boolean isDirectory) {
        if (!isDirectory) {
            return listing.path();
        }
        return listing.path().endsWith("/") ? listing.path() + entry.name() : listing.path() + "/" + entry.name();
    }

    private static String ownerOf(Attr a) {
        return a.owner() == null ? "-" : a.owner();
    }

    @FunctionalInterface
    private interface EntryPrinter {
        void print(DirEntry entry, String target);
    }
}
