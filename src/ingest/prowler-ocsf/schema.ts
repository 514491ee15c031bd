import { z } from 'zod';

/**
 * The parts of an OCSF Detection Finding (class 2004) that Prowler writes and this parser reads.
 * Objects are loose: OCSF is large and Prowler's layout moved between 4.x and 5.x (e.g.
 * `created_time` became epoch seconds); only the members we map are checked, so a newer report
 * still ingests while a wrong type in a field we rely on fails with its pointer.
 */

const text = z.string().nullish();

export const OcsfResourceSchema = z.looseObject({
  uid: text,
  name: text,
  type: text,
  region: text,
});
export type OcsfResource = z.infer<typeof OcsfResourceSchema>;

export const ProwlerOcsfFindingSchema = z.looseObject({
  metadata: z.looseObject({
    event_code: z.string().min(1),
    product: z.looseObject({ name: text, version: text }).nullish(),
  }),
  finding_info: z.looseObject({ uid: text, title: text, desc: text }),
  status_code: z.string().min(1),
  status: text,
  status_detail: text,
  message: text,
  severity: text,
  severity_id: z.number().int().nullish(),
  resources: z.array(OcsfResourceSchema).nullish(),
  cloud: z
    .looseObject({
      provider: text,
      region: text,
      account: z.looseObject({ uid: text, name: text }).nullish(),
    })
    .nullish(),
  remediation: z.looseObject({ desc: text, references: z.array(z.string()).nullish() }).nullish(),
  risk_details: text,
  unmapped: z.looseObject({ related_url: text }).nullish(),
});
export type ProwlerOcsfFinding = z.infer<typeof ProwlerOcsfFindingSchema>;
