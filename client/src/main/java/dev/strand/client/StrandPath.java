package dev.strand.client;

import dev.strand.protocol.Names;
import dev.strand.protocol.error.InvalidArgumentException;

import java.util.ArrayList;
import java.util.List;

/**
 * An absolute Strand path {@code /<volume>/<name>/...}, normalised: empty and "." components are dropped and
 * ".." removes the component before it (lexically, as in Plan 9; above "/" it stays at "/"). The first
 * component is the volume; "/" itself is the list of volumes. A trailing '/' is remembered because it asks
 * for the final symbolic link to be followed.
 */
public final class StrandPath {
    private static final StrandPath ROOT = new StrandPath(List.of(), false);

    private final List<String> components;
    private final boolean trailingSlash;

    private StrandPath(List<String> components, boolean trailingSlash) {
        this.components = List.copyOf(components);
        this.trailingSlash = trailingSlash && !components.isEmpty();
    }

    public static StrandPath root() {
        return ROOT;
    }

    /**
     * Parses and validates an absolute path.
     *
     * @throws InvalidArgumentException if it is not absolute
     * @throws dev.strand.protocol.StrandException of BAD_VOLUME_NAME / BAD_NAME / NAME_TOO_LONG for bad components
     */
    public static StrandPath parse(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidArgumentException("path '" + path + "' is not absolute: write /<volume>/<path>");
        }
        return ROOT.resolve(path);
    }

    /**
     * The path that {@code relative} names from this one: an absolute {@code relative} starts again from "/".
     * This is how a symbolic link's target is followed from the link's directory.
     */
    public StrandPath resolve(String relative) {
        List<String> result = relative.startsWith("/") ? new ArrayList<>() : new ArrayList<>(components);
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!result.isEmpty()) {
                    result.remove(result.size() - 1);
                }
                continue;
            }
            if (result.isEmpty()) {
                Names.checkVolumeName(part);
            } else {
                Names.checkEntryName(part);
            }
            result.add(part);
        }
        boolean trailing = relative.endsWith("/") || relative.endsWith("/.") || relative.endsWith("/..")
                || relative.equals(".") || relative.equals("..");
        return new StrandPath(result, trailing);
    }

    /** This path with {@code names} appended (each checked). */
    public StrandPath append(List<String> names) {
        List<String> result = new ArrayList<>(components);
        for (String name : names) {
            if (result.isEmpty()) {
                Names.checkVolumeName(name);
            } else {
                Names.checkEntryName(name);
            }
            result.add(name);
        }
        return new StrandPath(result, trailingSlash && names.isEmpty());
    }

    public StrandPath child(String name) {
        return append(List.of(name));
    }

    /** "/" is its own parent. */
    public StrandPath parent() {
        return components.isEmpty() ? this : new StrandPath(components.subList(0, components.size() - 1), false);
    }

    /** The first {@code count} components. */
    public StrandPath prefix(int count) {
        return new StrandPath(components.subList(0, count), false);
    }

    public boolean isRoot() {
        return components.isEmpty();
    }

    /** True for {@code /<volume>}: the volume's root directory. */
    public boolean isVolumeRoot() {
        return components.size() == 1;
    }

    /** The volume, or null for "/". */
    public String volume() {
        return components.isEmpty() ? null : components.get(0);
    }

    /** The names below the volume. */
    public List<String> names() {
        return components.isEmpty() ? List.of() : components.subList(1, components.size());
    }

    /** The last component ("" for "/"). */
    public String name() {
        return components.isEmpty() ? "" : components.get(components.size() - 1);
    }

    public List<String> components() {
        return components;
    }

    public int depth() {
        return components.size();
    }

    public boolean trailingSlash() {
        return trailingSlash;
    }

    /** The same path without the trailing-slash mark. */
    public StrandPath withoutTrailingSlash() {
        return trailingSlash ? new StrandPath(components, false) : this;
    }

    /** The same path, asking for its final symbolic link to be followed. */
    public StrandPath withTrailingSlash() {
        return trailingSlash || components.isEmpty() ? this : new StrandPath(components, true);
    }

    /** True if {@code other} is this path or lies below it. */
    public boolean contains(StrandPath other) {
        return other.components.size() >= components.size()
                && other.components.subList(0, components.size()).equals(components);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StrandPath p && p.components.equals(components);
    }

    @Override
    public int hashCode() {
        return components.hashCode();
    }

    @Override
    public String toString() {
        return "/" + String.join("/", components);
    }
}
