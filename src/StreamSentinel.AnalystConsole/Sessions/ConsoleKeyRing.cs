using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace StreamSentinel.AnalystConsole.Sessions;

/// <summary>
/// Where every console instance keeps the data-protection keys of its session cookies: PostgreSQL table
/// <c>console_key_ring</c> (sql/postgres/0007_console_key_ring.sql), so consoles behind one address accept each
/// other's cookies and a restart signs nobody out.
/// </summary>
public sealed class ConsoleKeyRing(DbContextOptions<ConsoleKeyRing> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<DataProtectionKey>(key =>
        {
            key.ToTable("console_key_ring");
            key.Property(k => k.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            key.Property(k => k.FriendlyName).HasColumnName("friendly_name");
            key.Property(k => k.Xml).HasColumnName("xml");
        });
    }
}
