package dev.strand.protocol.message;

/**
 * Writes a small file in one request: {@code data} (at most {@link dev.strand.protocol.ProtocolLimits#MAX_PUT_BYTES}
 * bytes, absent: empty) becomes the whole contents of the regular file {@code name} in {@code dir}, created with
 * permission bits {@code mode} if the name is free; an existing regular file keeps its fid, links and mode (as a
 * STORE). The reply is the file's {@link Attr}; the change is atomic. A directory is IS_A_DIRECTORY, a symbolic
 * link EXISTS (a client that follows links looks the target up and stores there).
 */
public record Put(Fid dir, @EntryName String name, int mode, byte[] data) implements Request {

    /** The number of bytes carried (absent data: 0). */
    public int length() {
        return data == null ? 0 : data.length;
    }

    /** By contents, not by array identity: a resent PUT equals the first. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Put p && java.util.Objects.equals(dir, p.dir) && java.util.Objects.equals(name, p.name)
                && mode == p.mode && java.util.Arrays.equals(data, p.data);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(dir, name, mode, java.util.Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Put[dir=" + dir + ", name=" + name + ", mode=" + Integer.toOctalString(mode) + ", " + length()
                + " bytes]";
    }
}
