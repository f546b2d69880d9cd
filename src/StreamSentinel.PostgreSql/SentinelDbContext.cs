using Microsoft.EntityFrameworkCore;
using StreamSentinel.PostgreSql.Alerts;

namespace StreamSentinel.PostgreSql;

/// <summary>
/// EF Core's view of the PostgreSQL tables, for analysts' queries and case work. It maps; it never creates:
/// the schema is sql/postgres, applied by <c>stream-sentinel migrate</c>, and EF migrations are not used.
/// </summary>
public sealed class SentinelDbContext(DbContextOptions<SentinelDbContext> options) : DbContext(options)
{
    public DbSet<FraudAlert> FraudAlerts => Set<FraudAlert>();

    public DbSet<FraudCase> FraudCases => Set<FraudCase>();

    public DbSet<VerdictApproval> VerdictApprovals => Set<VerdictApproval>();

    public DbSet<UserAccount> UserAccounts => Set<UserAccount>();

    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<FraudAlert>(alert =>
        {
            alert.ToTable("fraud_alerts");
            alert.HasKey(a => a.Id);
            alert.Property(a => a.Id).HasColumnName("id").HasDefaultValueSql("gen_random_uuid()");
            alert.Property(a => a.TransactionId).HasColumnName("transaction_id");
            alert.HasIndex(a => a.TransactionId).HasDatabaseName("fraud_alerts_transaction_id_idx");
            alert.Property(a => a.EventId).HasColumnName("event_id").IsFixedLength().HasMaxLength(64);
            // One alert per event: transaction ids are the client's and may repeat (sql/postgres/0010).
            alert.HasIndex(a => a.EventId).IsUnique().HasDatabaseName("fraud_alerts_event_id_key");
            alert.Property(a => a.UserId).HasColumnName("user_id");
            alert.Property(a => a.Severity).HasColumnName("severity");
            alert.Property(a => a.SeverityRank).HasColumnName("severity_rank").ValueGeneratedOnAddOrUpdate();
            alert.Property(a => a.FraudScore).HasColumnName("fraud_score").HasPrecision(5, 4);
            alert.Property(a => a.BusinessRulesTriggered).HasColumnName("business_rules_triggered");
            alert.Property(a => a.Explanation).HasColumnName("explanation").HasColumnType("jsonb");
            alert.Property(a => a.Status).HasColumnName("status");
            alert.Property(a => a.Assignee).HasColumnName("assignee");
            alert.Property(a => a.CaseId).HasColumnName("case_id");
            alert.HasIndex(a => a.CaseId);
            alert.Property(a => a.Amount).HasColumnName("amount").HasPrecision(18, 4);
            alert.Property(a => a.Currency).HasColumnName("currency").IsFixedLength().HasMaxLength(3);
            alert.Property(a => a.MerchantId).HasColumnName("merchant_id");
            alert.Property(a => a.MerchantCategory).HasColumnName("merchant_category").IsFixedLength().HasMaxLength(4);
            alert.Property(a => a.Country).HasColumnName("country").IsFixedLength().HasMaxLength(2);
            alert.Property(a => a.ModelName).HasColumnName("model_name");
            alert.Property(a => a.ModelVersion).HasColumnName("model_version");
            alert.Property(a => a.EventTime).HasColumnName("event_time");
            alert.Property(a => a.DetectedAt).HasColumnName("detected_at");
            alert.Property(a => a.CreatedAt).HasColumnName("created_at").ValueGeneratedOnAdd();
            alert.Property(a => a.UpdatedAt).HasColumnName("updated_at").ValueGeneratedOnAddOrUpdate();
            alert.Property(a => a.RowVersion).IsRowVersion();
        });

        modelBuilder.Entity<FraudCase>(fraudCase =>
        {
            fraudCase.ToTable("fraud_cases");
            fraudCase.HasKey(c => c.Id);
            fraudCase.Property(c => c.Id).HasColumnName("id").HasDefaultValueSql("gen_random_uuid()");
            fraudCase.Property(c => c.UserId).HasColumnName("user_id");
            fraudCase.Property(c => c.OpenedAt).HasColumnName("opened_at");
            fraudCase.Property(c => c.LastAlertAt).HasColumnName("last_alert_at");
            fraudCase.Property(c => c.Assignee).HasColumnName("assignee");
            fraudCase.Property(c => c.RoutedAt).HasColumnName("routed_at");
            fraudCase.Property(c => c.OpenSince).HasColumnName("open_since").ValueGeneratedOnAddOrUpdate();
            fraudCase.Property(c => c.OpenRank).HasColumnName("open_rank").ValueGeneratedOnAddOrUpdate();
            fraudCase.Property(c => c.CreatedAt).HasColumnName("created_at").ValueGeneratedOnAdd();
            fraudCase.Property(c => c.UpdatedAt).HasColumnName("updated_at").ValueGeneratedOnAddOrUpdate();
            fraudCase.Property(c => c.RowVersion).IsRowVersion();
            fraudCase.HasMany<FraudAlert>().WithOne().HasForeignKey(a => a.CaseId);
        });

        modelBuilder.Entity<VerdictApproval>(approval =>
        {
            approval.ToTable("verdict_approvals");
            approval.HasKey(a => a.Id);
            approval.Property(a => a.Id).HasColumnName("id").HasDefaultValueSql("gen_random_uuid()");
            approval.Property(a => a.AlertId).HasColumnName("alert_id");
            approval.Property(a => a.ProposedStatus).HasColumnName("proposed_status");
            approval.Property(a => a.ProposedBy).HasColumnName("proposed_by");
            approval.Property(a => a.Note).HasColumnName("note");
            approval.Property(a => a.ProposedAt).HasColumnName("proposed_at");
            approval.Property(a => a.Decision).HasColumnName("decision");
            approval.Property(a => a.DecidedBy).HasColumnName("decided_by");
            approval.Property(a => a.DecidedAt).HasColumnName("decided_at");
            approval.Property(a => a.RowVersion).IsRowVersion();
            approval.HasOne<FraudAlert>().WithMany().HasForeignKey(a => a.AlertId);
        });

        modelBuilder.Entity<UserAccount>(account =>
        {
            account.ToTable("user_accounts");
            account.HasKey(a => a.UserId);
            account.Property(a => a.UserId).HasColumnName("user_id");
            account.Property(a => a.AlertsTotal).HasColumnName("alerts_total");
            account.Property(a => a.CriticalAlerts).HasColumnName("critical_alerts");
            account.Property(a => a.HighAlerts).HasColumnName("high_alerts");
            account.Property(a => a.MediumAlerts).HasColumnName("medium_alerts");
            account.Property(a => a.LowAlerts).HasColumnName("low_alerts");
            account.Property(a => a.MinimalAlerts).HasColumnName("minimal_alerts");
            account.Property(a => a.MaxFraudScore).HasColumnName("max_fraud_score").HasPrecision(5, 4);
            account.Property(a => a.LastAlertAt).HasColumnName("last_alert_at");
            account.Property(a => a.RiskLevel).HasColumnName("risk_level");
            account.Property(a => a.CreatedAt).HasColumnName("created_at").ValueGeneratedOnAdd();
            account.Property(a => a.UpdatedAt).HasColumnName("updated_at").ValueGeneratedOnAddOrUpdate();
        });

        modelBuilder.Entity<AuditLogEntry>(entry =>
        {
            entry.ToTable("system_audit_log");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            entry.Property(e => e.OccurredAt).HasColumnName("occurred_at").HasDefaultValueSql("now()");
            entry.Property(e => e.Actor).HasColumnName("actor");
            entry.Property(e => e.Action).HasColumnName("action");
            entry.Property(e => e.EntityType).HasColumnName("entity_type");
            entry.Property(e => e.EntityId).HasColumnName("entity_id");
            entry.Property(e => e.Details).HasColumnName("details").HasColumnType("jsonb");
            entry.Property(e => e.EventId).HasColumnName("event_id");
        });
    }
}
