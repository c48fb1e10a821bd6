import { memo } from 'react'
import type { ModelDetails, Result, TensorInfo } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import { ProfileEditor } from './ProfileEditor'

export interface ModelDetailsViewProps {
  details: ModelDetails
  onSaveProfile(profile: ModelProfile | null): Promise<Result<ModelDetails>>
  onPickLabels?(): Promise<Result<string | undefined>>
}

function TensorTable({
  title,
  tensors,
  testId,
}: {
  title: string
  tensors: TensorInfo[]
  testId: string
}) {
  return (
    <table className="tensor-table" data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>name</th>
          <th>dtype</th>
          <th>dims</th>
        </tr>
      </thead>
      <tbody>
        {tensors.map((t) => (
          <tr key={t.name}>
            <td>{t.name}</td>
            <td>{t.datatype}</td>
            <td>[{t.shape.join(', ')}]</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const yesNo = (v: boolean): string => (v ? 'yes' : 'no')

/** What the server says about one model, what the app made of it, and the profile to edit. */
export const ModelDetailsView = memo(function ModelDetailsView({
  details: d,
  onSaveProfile,
  onPickLabels,
}: ModelDetailsViewProps) {
  return (
    <div className="model-details" data-testid="model-details" data-model={d.name}>
      {d.description && (
        <p className="model-description" data-testid="model-description">
          {d.description}
        </p>
      )}
      <dl className="facts">
        <dt>Kind</dt>
        <dd data-testid="model-kind">{d.kind}</dd>
        {d.preset && (
          <>
            <dt>Preset</dt>
            <dd data-testid="model-preset" title={d.preset.source}>
              {d.preset.summary}
              {d.profileSaved ? ' (your profile overrides it)' : ''}
            </dd>
          </>
        )}
        {d.detectionForm && (
          <>
            <dt>Detection form</dt>
            <dd data-testid="model-detection-form">{d.detectionForm}</dd>
          </>
        )}
        <dt>Platform</dt>
        <dd>{[d.platform, d.backend].filter(Boolean).join(' / ') || '–'}</dd>
        <dt>Versions</dt>
        <dd>{d.versions.join(', ') || '–'}</dd>
        <dt>Max batch</dt>
        <dd data-testid="model-max-batch">{d.maxBatchSize}</dd>
        <dt>Dynamic batching</dt>
        <dd>{yesNo(d.dynamicBatching)}</dd>
        <dt>Sequence batching</dt>
        <dd>{yesNo(d.sequenceBatching)}</dd>
        <dt>Decoupled</dt>
        <dd>{yesNo(d.decoupled)}</dd>
        {d.labels && d.labels.length > 0 && (
          <>
            <dt>Labels</dt>
            <dd title={d.labels.join(', ')}>{d.labels.length} classes</dd>
          </>
        )}
      </dl>
      <TensorTable title="Inputs" tensors={d.inputs} testId="model-inputs" />
      <TensorTable title="Outputs" tensors={d.outputs} testId="model-outputs" />
      <ProfileEditor
        key={`${d.name}:${d.profileSaved}`}
        details={d}
        onSave={onSaveProfile}
        onPickLabels={onPickLabels}
      />
    </div>
  )
})
